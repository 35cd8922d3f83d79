/*
 * Firefox has no fake screen to share (its fake-media prefs cover cameras and microphones only; getDisplayMedia
 * answers NotFoundError headless). This init script, installed by the TEST, stands in a moving canvas for the picked
 * screen, so the app's own Share button works there as it does in Chromium (which has a fake screen built in).
 * Runs inside the page: self-contained, no imports.
 */

/** Size and frame rate of the stand-in screen. */
const FAKE_SCREEN = { width: 640, height: 360, fps: 10 };

export function installFakeScreen(screen: typeof FAKE_SCREEN): void {
  const w = window as unknown as { __name?: unknown };
  // tsx compiles with keepNames, which wraps functions in `__name(...)`; give the page a stand-in.
  if (!w.__name) w.__name = (fn: unknown) => fn;
  const devices = navigator.mediaDevices;
  if (!devices) return;
  devices.getDisplayMedia = async () => {
    const canvas = document.createElement('canvas');
    canvas.width = screen.width;
    canvas.height = screen.height;
    const context = canvas.getContext('2d');
    let hue = 0;
    const paint = () => {
      if (!context) return;
      hue = (hue + 7) % 360;
      context.fillStyle = `hsl(${hue} 60% 50%)`;
      context.fillRect(0, 0, screen.width, screen.height);
    };
    paint();
    const timer = setInterval(paint, 1000 / screen.fps);
    const stream = canvas.captureStream(screen.fps);
    const track = stream.getVideoTracks()[0];
    const stop = track?.stop.bind(track);
    if (track && stop) {
      track.stop = () => {
        clearInterval(timer);
        stop();
      };
    }
    return stream;
  };
}

export { FAKE_SCREEN };
