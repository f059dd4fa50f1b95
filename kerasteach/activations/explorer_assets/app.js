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

// -- the drawing pad: draw, and the model answers --------------------------------

const pad = { model: null, drawing: false, last: null, inFlight: false,
              pending: false, timer: null, layers: [] };

function padPoint(event) {
  const canvas = $("canvas");
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width,
          (event.clientY - box.top) * canvas.height / box.height];
}

function stroke(from, to) {
  const context = $("canvas").getContext("2d");
  context.strokeStyle = "white";
  context.lineWidth = 22;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.beginPath();
  context.moveTo(...from);
  context.lineTo(...to);
  context.stroke();
}

// The drawing as the model expects it, the way MNIST was made: the ink's
// bounding box scaled to fit 20 of 28 pixels, centred, on black.
function modelPixels() {
  const canvas = $("canvas");
  const { width, height } = canvas;
  const ink = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)] > 20) {
        left = Math.min(left, x); right = Math.max(right, x);
        top = Math.min(top, y); bottom = Math.max(bottom, y);
      }
    }
  }
  const seen = $("seen");
  seen.width = pad.model.width; seen.height = pad.model.height;
  const small = seen.getContext("2d");
  small.fillStyle = "black";
  small.fillRect(0, 0, seen.width, seen.height);
  if (right >= left) {
    const boxWidth = right - left + 1, boxHeight = bottom - top + 1;
    const fit = 0.72 * Math.min(seen.width, seen.height) / Math.max(boxWidth, boxHeight);
    const drawnWidth = boxWidth * fit, drawnHeight = boxHeight * fit;
    small.imageSmoothingEnabled = true;
    small.imageSmoothingQuality = "high";
    small.drawImage(canvas, left, top, boxWidth, boxHeight,
                    (seen.width - drawnWidth) / 2, (seen.height - drawnHeight) / 2,
                    drawnWidth, drawnHeight);
  }
  const rgba = small.getImageData(0, 0, seen.width, seen.height).data;
  const grey = new Uint8Array(seen.width * seen.height);
  for (let i = 0; i < grey.length; i++) grey[i] = rgba[4 * i];
  return grey;
}

// One request per update: while one is on its way, later strokes wait and
// the newest drawing is sent when it returns.
async function sendDrawing() {
  if (pad.inFlight) { pad.pending = true; return; }
  pad.inFlight = true;
  pad.pending = false;
  try {
    const response = await fetch("/api/draw", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: modelPixels(),
    });
    const body = await response.json();
    if (response.ok) showDrawingAnswer(body);
  } finally {
    pad.inFlight = false;
    if (pad.pending) sendDrawing();
  }
}

function scheduleDrawing() {
  if (pad.timer !== null) return;
  pad.timer = setTimeout(() => { pad.timer = null; sendDrawing(); }, 120);
}

function showDrawingAnswer(body) {
  const list = $("pad-predictions");
  list.replaceChildren();
  for (const [label, score] of body.predictions) {
    const li = document.createElement("li");
    li.textContent = `${label}: ${(100 * score).toFixed(1)}%`;
    list.append(li);
  }
  const holder = $("pad-layers");
  holder.replaceChildren();
  body.layers.forEach((source, k) => {
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    const layer = pad.layers[k];
    caption.textContent = layer ? `${layer.name} ${layer.shape}` : "";
    const image = document.createElement("img");
    image.src = source;
    image.alt = caption.textContent;
    figure.append(caption, image);
    holder.append(figure);
  });
  document.body.dataset.drawings = String(Number(document.body.dataset.drawings || 0) + 1);
}

function startPad(model, layers) {
  pad.model = model;
  pad.layers = layers;
  $("pad").hidden = false;
  const canvas = $("canvas");
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    pad.drawing = true;
    pad.last = padPoint(event);
    stroke(pad.last, pad.last);
    scheduleDrawing();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!pad.drawing) return;
    const point = padPoint(event);
    stroke(pad.last, point);
    pad.last = point;
    scheduleDrawing();
  });
  const end = () => {
    if (!pad.drawing) return;
    pad.drawing = false;
    scheduleDrawing();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  $("clear").addEventListener("click", () => {
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    $("pad-predictions").replaceChildren();
    $("pad-layers").replaceChildren();
  });
}

async function startAll() {
  await start();
  const model = (await getJSON("/api/model")).body;
  if (model.drawing) {
    startPad(model, (await getJSON("/api/layers")).body);
    if (!document.querySelector("#images li")) $("hint").hidden = true;
  }
}

startAll();
