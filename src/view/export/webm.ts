/**
 * WebM video from canvas frames: WebCodecs' VideoEncoder (VP8) encodes each frame, and
 * mediabunny muxes them. Every frame is one block with its own timestamp, so a flow of n steps
 * is a video of exactly n frames, whatever the machine's speed (MediaRecorder records in real
 * time and drops or repeats frames). Imported statically from here so the bundler keeps only
 * the parts of mediabunny used; this module is itself loaded on demand.
 */
import { BufferTarget, CanvasSource, Output, QUALITY_HIGH, WebMOutputFormat, canEncodeVideo } from "mediabunny";

export interface VideoWriter {
  /** Adds the canvas's current picture as frame `k`, shown for the writer's seconds per frame. */
  add(k: number): Promise<void>;
  finish(): Promise<ArrayBuffer>;
  cancel(): Promise<void>;
}

/** Why a video cannot be made, in the page's language. */
export interface VideoErrors {
  readonly noEncoder: string;
  readonly noVp8: (p: { width: number; height: number }) => string;
  readonly noFile: string;
}

export async function webmWriter(canvas: HTMLCanvasElement, secondsPerFrame: number, errors: VideoErrors): Promise<VideoWriter> {
  const { width, height } = canvas;
  if (typeof VideoEncoder === "undefined") throw new Error(errors.noEncoder);
  if (!(await canEncodeVideo("vp8", { width, height }))) throw new Error(errors.noVp8({ width, height }));
  const output = new Output({ format: new WebMOutputFormat(), target: new BufferTarget() });
  const source = new CanvasSource(canvas, { codec: "vp8", bitrate: QUALITY_HIGH });
  output.addVideoTrack(source, { frameRate: 1 / secondsPerFrame });
  await output.start();
  return {
    add: (k) => source.add(k * secondsPerFrame, secondsPerFrame),
    async finish() {
      await output.finalize();
      const buffer = output.target.buffer;
      if (!buffer) throw new Error(errors.noFile);
      return buffer;
    },
    cancel: () => output.cancel(),
  };
}
