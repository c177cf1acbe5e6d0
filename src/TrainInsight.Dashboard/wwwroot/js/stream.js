// The live event stream (GET /api/stream/metrics, Server-Sent Events), reconnecting on its own and resuming from the last
// event received, so nothing is missed across a dropped connection or a server restart (with a persistent store).

const EVENT_TYPES = ["metrics_update", "training_event", "finding", "proposal", "assistant_analysis", "gap"];

export class LiveStream {
  /**
   * @param {(after: number|null) => string} urlFor the stream's URL resuming after an offset (null: live only)
   * @param {{onEvent: (type: string, event: object) => void, onStatus: (state: string) => void}} handlers
   */
  constructor(urlFor, handlers) {
    this.urlFor = urlFor;
    this.handlers = handlers;
    this.lastOffset = null;
    this.source = null;
    this.retryMs = 500;
    this.timer = 0;
    this.reconnects = 0;
  }

  /** Opens the stream, replaying every event after the offset (null: live events only). */
  start(after) {
    this.lastOffset = after ?? null;
    this.open();
  }

  open() {
    clearTimeout(this.timer);
    this.source?.close();
    this.handlers.onStatus(this.reconnects ? "reconnecting" : "connecting");
    // The browser's own reconnection sends Last-Event-ID; a stream reopened here says where to resume with ?after=.
    const source = new EventSource(this.urlFor(this.lastOffset));
    this.source = source;
    source.onopen = () => {
      this.retryMs = 500;
      this.handlers.onStatus("live");
    };
    source.onerror = () => {
      if (source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (the server answered with an error, e.g. while it restarts behind a proxy): retry with backoff.
        this.handlers.onStatus("offline");
        this.reconnects++;
        this.timer = setTimeout(() => this.open(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
      } else {
        this.reconnects++;
        this.handlers.onStatus("reconnecting");
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        let event;
        try {
          event = JSON.parse(message.data);
        } catch (error) {
          console.error("TrainInsight: an event that is not JSON was skipped", error, message.data);
          return;
        }
        if (typeof event.offset === "number") this.lastOffset = Math.max(this.lastOffset ?? 0, event.offset);
        this.handlers.onEvent(type, event);
      });
    }
  }

  close() {
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }
}
