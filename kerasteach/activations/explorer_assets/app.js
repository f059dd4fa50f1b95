// The explorer's page: plain JavaScript, no build step, no network but its own server.
"use strict";

const $ = (id) => document.getElementById(id);
let chosenImage = null;

async function getJSON(url) {
  const response = await fetch(url);
  return { ok: response.ok, body: await response.json() };
}

function item(text, onClick) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.textContent = text;
  button.addEventListener("click", onClick);
  li.append(button);
  return li;
}

function mark(list, chosen) {
  for (const button of list.querySelectorAll("button")) {
    button.classList.toggle("chosen", button === chosen);
  }
}

async function showImage(image, button) {
  chosenImage = image;
  mark($("images"), button);
  $("hint").hidden = true;
  $("image").hidden = false;
  $("image-name").textContent = image.name;
  $("maps").hidden = true;
  $("predictions").replaceChildren();
  $("error").hidden = true;
  const { ok, body } = await getJSON(`/api/images/${image.id}/predictions`);
  if (!ok || body.error) {
    $("error").textContent = body.error || "this image could not be read";
    $("error").hidden = false;
    $("layers").hidden = true;
    return;
  }
  $("layers").hidden = false;
  for (const [label, score] of body.predictions) {
    const li = document.createElement("li");
    li.textContent = `${label}: ${(100 * score).toFixed(1)}%`;
    $("predictions").append(li);
  }
}

function showLayer(layer, button) {
  if (chosenImage === null) return;
  mark($("layers"), button);
  $("maps").hidden = false;
  $("layer-name").textContent = `${layer.name} ${layer.shape}`;
  $("layer-map").src = `/api/images/${chosenImage.id}/layers/${layer.id}.png`;
}

async function start() {
  const images = (await getJSON("/api/images")).body;
  for (const image of images) {
    const li = item(image.name, (event) => showImage(image, event.currentTarget));
    if (image.error) {
      li.classList.add("unreadable");
    } else {
      const thumbnail = document.createElement("img");
      thumbnail.src = `/api/images/${image.id}/thumbnail.png`;
      thumbnail.alt = "";
      li.querySelector("button").prepend(thumbnail);
    }
    $("images").append(li);
  }
  const layers = (await getJSON("/api/layers")).body;
  for (const layer of layers) {
    $("layers").append(
      item(`${layer.name} ${layer.shape}`, (event) => showLayer(layer, event.currentTarget)));
  }
}

start();
