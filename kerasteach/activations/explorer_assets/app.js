// The explorer's page: plain JavaScript, no build step, no network but its own server.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { image: null, layers: [], model: null };

async function getJSON(url) {
  const response = await fetch(url);
  return { ok: response.ok, body: await response.json() };
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function item(text, onClick) {
  const li = document.createElement("li");
  const button = element("button", text);
  button.addEventListener("click", onClick);
  li.append(button);
  return li;
}

function mark(list, chosen) {
  for (const button of list.querySelectorAll("button")) {
    button.classList.toggle("chosen", button === chosen);
  }
}

// Scores that add up to one are shown as percentages; other numbers as they are.
function asPercentages(values) {
  const sum = values.reduce((a, b) => a + b, 0);
  return values.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 0.02;
}

// A vector as named bars, CNN Explainer's way: one row per class (or unit),
// the largest in dark blue.
function drawBars(holder, pairs) {
  holder.replaceChildren();
  const values = pairs.map((pair) => pair[1]);
  const percent = asPercentages(values);
  const largest = Math.max(...values.map(Math.abs), 1e-12);
  const best = values.indexOf(Math.max(...values));
  pairs.forEach(([name, value], k) => {
    const row = k === best ? "best" : "";
    const track = element("span", undefined, "track " + row);
    const fill = element("span", undefined, "fill" + (value < 0 ? " negative" : ""));
    fill.style.width = `${(100 * Math.abs(value)) / largest}%`;
    fill.style.display = "block";
    track.append(fill);
    const shown = percent ? `${(100 * value).toFixed(1)}%` : value.toPrecision(3);
    holder.append(element("span", name, "name " + row), track,
                  element("span", shown, "value " + row));
  });
}

function showView(name) {
  $("pad").hidden = name !== "pad";
  $("image").hidden = name !== "image";
  $("hint").hidden = name !== "hint";
  if (name === "pad") {
    mark($("images"), null);
    mark($("views"), $("views").querySelector("button"));
  } else {
    mark($("views"), null);
  }
  window.scrollTo(0, 0);
}

async function showImage(image, button) {
  state.image = image;
  showView("image");
  mark($("images"), button);
  $("image-name").textContent = image.name;
  $("image-large").src = image.error ? "" : `/api/images/${image.id}/image.png`;
  $("image-large").hidden = Boolean(image.error);
  $("maps").hidden = true;
  $("scores").replaceChildren();
  $("image-label").replaceChildren();
  $("error").hidden = true;
  const { ok, body } = await getJSON(`/api/images/${image.id}/predictions`);
  if (state.image !== image) return;  // another image was chosen meanwhile
  if (!ok || body.error) {
    $("error").textContent = body.error || "this image could not be read";
    $("error").hidden = false;
    $("layers").hidden = true;
    return;
  }
  $("layers").hidden = false;
  const predicted = body.predictions[0][0];
  const label = $("image-label");
  if (body.label !== null) {
    const right = body.label === predicted;
    label.append(`True label: ${body.label} · predicted: `,
                 element("span", `${predicted} (${right ? "right" : "wrong"})`,
                         right ? "right" : "wrong"));
  } else {
    label.append(`Predicted: ${predicted}`);
  }
  drawBars($("scores"), body.scores.length <= 20 ? body.scores : body.predictions);
  const first = $("layers").querySelector("button");
  if (first) first.click();
}

async function showLayer(layer, button) {
  if (state.image === null) return;
  const image = state.image;
  mark($("layers"), button);
  $("maps").hidden = false;
  $("layer-name").textContent = `${layer.name} ${layer.shape}`;
  const maps = layer.kind === "maps";
  $("map-scale").hidden = !maps;
  $("layer-map").hidden = !maps;
  $("layer-bars").hidden = maps;
  if (maps) {
    $("layer-map").src = `/api/images/${image.id}/layers/${layer.id}.png`;
  } else {
    const { body } = await getJSON(`/api/images/${image.id}/layers/${layer.id}.json`);
    if (state.image === image) drawBars($("layer-bars"), body.bars);
  }
}

async function start() {
  state.model = (await getJSON("/api/model")).body;
  if (state.model.about) {
    $("about").textContent = state.model.about;
    $("about").hidden = false;
  }
  const images = (await getJSON("/api/images")).body;
  $("images-heading").hidden = images.length === 0;
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
  state.layers = (await getJSON("/api/layers")).body;
  for (const layer of state.layers) {
    $("layers").append(
      item(`${layer.name} ${layer.shape}`, (event) => showLayer(layer, event.currentTarget)));
  }
  if (state.model.drawing) {
    $("views").append(item("✎ Draw a digit", () => showView("pad")));
    startPad();
    showView("pad");
  } else {
    showView("hint");
  }
}

// -- the drawing pad: draw, and the model answers --------------------------------

// version counts changes to the drawing; the page marks on <body> which
// version was last answered, so a test (or a person) knows the answer is current.
const pad = { drawing: false, last: null, inFlight: false, pending: false,
              timer: null, version: 0 };

function padPoint(event) {
  const canvas = $("canvas");
  const box = canvas.getBoundingClientRect();
  return [(event.clientX - box.left) * canvas.width / box.width,
          (event.clientY - box.top) * canvas.height / box.height];
}

function stroke(from, to) {
  const context = $("canvas").getContext("2d");
  context.strokeStyle = "white";
  context.lineWidth = 20;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.beginPath();
  context.moveTo(...from);
  context.lineTo(...to);
  context.stroke();
  pad.version += 1;
  document.body.dataset.drawn = String(pad.version);
}

// The canvas as grey bytes, ink 255 on 0; the server prepares it the way the
// model's training images were made (kerasteach.activations.drawing).
function canvasInk() {
  const canvas = $("canvas");
  const rgba = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  const grey = new Uint8Array(canvas.width * canvas.height);
  // white ink over a transparent canvas: a smoothed edge is white, part opaque
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(rgba[4 * i] * rgba[4 * i + 3] / 255);
  return grey;
}

// One request per update: while one is on its way, later strokes wait and
// the newest drawing is sent when it returns.
async function sendDrawing() {
  if (pad.inFlight) { pad.pending = true; return; }
  pad.inFlight = true;
  pad.pending = false;
  const version = pad.version;
  try {
    const response = await fetch("/api/draw", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: canvasInk(),
    });
    const body = await response.json();
    if (response.ok) showDrawingAnswer(body, version);
  } finally {
    pad.inFlight = false;
    if (pad.pending) sendDrawing();
  }
}

function scheduleDrawing() {
  if (pad.timer !== null) return;
  pad.timer = setTimeout(() => { pad.timer = null; sendDrawing(); }, 120);
}

function showDrawingAnswer(body, version) {
  $("seen").src = body.seen;
  drawBars($("pad-scores"), body.scores.length <= 20 ? body.scores : body.predictions);
  const holder = $("pad-layers");
  holder.replaceChildren();
  body.layers.forEach((answer, k) => {
    const figure = document.createElement("figure");
    const layer = state.layers[k];
    const caption = element("figcaption", layer ? `${layer.name} ${layer.shape}` : "");
    figure.append(caption);
    if (answer.bars) {
      const bars = element("div", undefined, "bars");
      drawBars(bars, answer.bars);
      figure.append(bars);
    } else {
      const image = document.createElement("img");
      image.src = answer.image;
      image.alt = caption.textContent;
      figure.append(image);
    }
    holder.append(figure);
  });
  document.body.dataset.drawings = String(Number(document.body.dataset.drawings || 0) + 1);
  document.body.dataset.answered = String(version);
}

function clearPad() {
  const canvas = $("canvas");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  $("pad-scores").replaceChildren();
  $("pad-layers").replaceChildren();
  $("seen").removeAttribute("src");
  pad.version += 1;
  document.body.dataset.drawn = String(pad.version);
  document.body.dataset.answered = String(pad.version);
}

function startPad() {
  $("prepared").textContent = state.model.prepared;
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
  $("clear").addEventListener("click", clearPad);
}

start();
