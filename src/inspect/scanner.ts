// Reading QR codes on the page: photos (always available: the file input with the camera as
// its capture source) and the live camera. Decoding runs in a Web Worker (zxing-wasm) so a
// slow phone never freezes the page; where the browser has a native BarcodeDetector for QR
// codes, camera frames go to it first. A photo is sized up from its header before anything
// decodes it: an enormous picture is refused with a message, never decoded.

import { MAX_PHOTO_BYTES, MAX_PHOTO_PIXELS, probeImage } from '../core/index.ts';
import type { DecodeReply, DecodeRequest } from './decoder-worker.ts';

export type PhotoResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'no_code' | 'not_image' | 'too_large' | 'too_many_bytes' | 'decode_failed'; width?: number; height?: number };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Camera frames are scaled to at most this many pixels on the long side before decoding. */
const FRAME_SIDE = 960;
const FRAME_INTERVAL_MS = 120;
/** The header is read from at most this much of the file (JPEG metadata can come first). */
const HEADER_BYTES = 256 * 1024;

interface NativeDetector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

export class Scanner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: DecodeReply) => void>();
  private native: Promise<NativeDetector | null> | null = null;

  constructor(private readonly workerUrl: string) {}

  private decoder(): Worker {
    if (!this.worker) {
      this.worker = new Worker(this.workerUrl, { type: 'module' });
      this.worker.onmessage = (event: MessageEvent<DecodeReply>) => {
        const done = this.pending.get(event.data.id);
        this.pending.delete(event.data.id);
        done?.(event.data);
      };
      this.worker.onerror = () => {
        for (const [id, done] of this.pending) done({ id, error: 'decode_failed' });
        this.pending.clear();
        this.worker?.terminate();
        this.worker = null;
      };
    }
    return this.worker;
  }

  private ask(request: WithoutId<DecodeRequest>, transfer: Transferable[] = []): Promise<DecodeReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.decoder().postMessage({ ...request, id } as DecodeRequest, transfer);
    });
  }

  /** Loads the decoder ahead of need (the service worker has cached it). */
  warm(): void {
    this.decoder();
  }

  async readPhoto(file: Blob): Promise<PhotoResult> {
    if (file.size > MAX_PHOTO_BYTES) return { ok: false, reason: 'too_many_bytes' };
    const head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
    const probe = probeImage(head);
    if (!probe) return { ok: false, reason: 'not_image' };
    if (probe.width * probe.height > MAX_PHOTO_PIXELS) return { ok: false, reason: 'too_large', width: probe.width, height: probe.height };
    const reply = await this.ask({ kind: 'file', blob: file, type: probe.type, width: probe.width, height: probe.height });
    if ('error' in reply) return { ok: false, reason: 'decode_failed' };
    return reply.texts[0] ? { ok: true, text: reply.texts[0] } : { ok: false, reason: 'no_code' };
  }

  private nativeDetector(): Promise<NativeDetector | null> {
    this.native ??= (async () => {
      const Detector = (globalThis as { BarcodeDetector?: { new (o: { formats: string[] }): NativeDetector; getSupportedFormats(): Promise<string[]> } }).BarcodeDetector;
      if (!Detector) return null;
      try {
        return (await Detector.getSupportedFormats()).includes('qr_code') ? new Detector({ formats: ['qr_code'] }) : null;
      } catch {
        return null;
      }
    })();
    return this.native;
  }

  /**
   * Starts the camera in `video` and calls `found` with the first code read; returns a stop
   * function. Throws the getUserMedia error (NotAllowedError when permission is refused).
   */
  async startCamera(video: HTMLVideoElement, found: (text: string) => void): Promise<() => void> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    const [track] = stream.getVideoTracks();
    // Continuous autofocus where the camera offers it (many cheap phones start fixed-focus).
    try {
      await track?.applyConstraints({ advanced: [{ focusMode: 'continuous' } as MediaTrackConstraintSet] });
    } catch {
      // not offered: the photo button stays beside the camera for exactly this
    }
    video.srcObject = stream;
    video.muted = true;
    video.setAttribute('playsinline', '');
    await video.play().catch(() => {});
    const native = await this.nativeDetector();
    const canvas = document.createElement('canvas');
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      for (const t of stream.getTracks()) t.stop();
      video.srcObject = null;
    };
    const tick = async () => {
      if (stopped) return;
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w && h) {
        const scale = Math.min(1, FRAME_SIDE / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        g.drawImage(video, 0, 0, canvas.width, canvas.height);
        let text: string | undefined;
        if (native) {
          text = (await native.detect(canvas).catch(() => []))[0]?.rawValue;
        }
        if (!text) {
          const image = g.getImageData(0, 0, canvas.width, canvas.height);
          const reply = await this.ask({ kind: 'frame', image }, [image.data.buffer]);
          if (!('error' in reply)) text = reply.texts[0];
        }
        if (text && !stopped) {
          stop();
          found(text);
          return;
        }
      }
      timer = setTimeout(tick, FRAME_INTERVAL_MS);
    };
    timer = setTimeout(tick, 0);
    return stop;
  }
}
