// The camera page: "Replay the last minutes" plays the recording buffer in the page, without leaving it.
(function () {
  "use strict";
  const form = document.querySelector("[data-replay-form]");
  if (!form) { return; }
  const video = document.querySelector("[data-role=replay-video]");
  const state = document.querySelector("[data-role=replay-state]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const minutes = form.querySelector("[name=minutes]").value;
    state.textContent = "Cutting the last " + minutes + " minute" + (minutes === "1" ? "" : "s") + " from the recording…";
    video.hidden = false;
    video.src = RTCC.url(form, "replay") + "?minutes=" + encodeURIComponent(minutes) + "&t=" + Date.now();
    video.play().catch(() => { /* the browser may want a click on the video itself */ });
  });
  video.addEventListener("loadeddata", () => { state.textContent = "Playing the recording (times as burned into the picture)."; });
  video.addEventListener("error", () => { state.textContent = "The recording could not be played: the buffer may hold nothing of those minutes."; });
})();
