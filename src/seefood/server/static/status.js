// The status pill and the message line: what the page tells the person.

const $ = (id) => document.getElementById(id);

export function setStatus(name, text) {
  $("status").className = `status ${name}`;
  $("status-text").textContent = text || name;
  document.body.dataset.status = name;
}

export function currentStatus() {
  return document.body.dataset.status;
}

export function showMessage(text) {
  const el = $("message");
  el.textContent = text;
  el.hidden = !text;
}
