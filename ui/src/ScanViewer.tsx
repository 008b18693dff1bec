// One scan in the app: an image, or a PDF drawn page by page (pdf.js, its worker bundled
// with the app: nothing is fetched), with zoom. The bytes come from Rust as an ArrayBuffer.
// This module (pdf.js with it) loads when a scan is first shown (`DocumentsStep`'s lazy
// import): the start does not parse it.
import { useEffect, useRef, useState } from "react";
import * as pdfjs from "pdfjs-dist";
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";
import type { Attachment } from "./bindings";
import { api } from "./api";
import { useWords } from "./language";

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

export function ScanViewer({ caseId, scan }: { caseId: string; scan: Attachment }) {
  const { t } = useWords();
  const [bytes, setBytes] = useState<ArrayBuffer | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [zoom, setZoom] = useState(2); // index into ZOOMS: 100 %
  const [page, setPage] = useState(1);
  useEffect(() => {
    api.scanContent(caseId, scan.id).then(setBytes, (e) => setFailed(String(e?.message ?? e)));
  }, [caseId, scan.id]);
  const pdf = scan.media_type === "application/pdf";
  return (
    <div className="viewer" data-testid="viewer" data-media={scan.media_type}>
      <div className="actions">
        <b className="mono">{scan.file_name}</b>
        <span className="spacer" />
        {pdf && (
          <>
            <button data-testid="page-prev" disabled={page <= 1} onClick={() => setPage(page - 1)}>‹</button>
            <span data-testid="page-of">{t("viewer.page", { page, pages: scan.pages })}</span>
            <button data-testid="page-next" disabled={page >= scan.pages} onClick={() => setPage(page + 1)}>›</button>
          </>
        )}
        <button data-testid="zoom-out" disabled={zoom === 0} onClick={() => setZoom(zoom - 1)}>−</button>
        <span data-testid="zoom">{Math.round(ZOOMS[zoom] * 100)} %</span>
        <button data-testid="zoom-in" disabled={zoom === ZOOMS.length - 1} onClick={() => setZoom(zoom + 1)}>+</button>
      </div>
      {failed && <div className="error">{failed}</div>}
      <div className="viewer-body">
        {bytes && (pdf ? <PdfPage bytes={bytes} page={page} scale={ZOOMS[zoom]} /> : <Picture bytes={bytes} type={scan.media_type} scale={ZOOMS[zoom]} />)}
      </div>
    </div>
  );
}

function Picture({ bytes, type, scale }: { bytes: ArrayBuffer; type: string; scale: number }) {
  const [url, setUrl] = useState<string | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const u = URL.createObjectURL(new Blob([bytes], { type }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [bytes, type]);
  if (!url) return null;
  return (
    <img
      src={url}
      alt=""
      data-testid="scan-image"
      onLoad={(e) => setWidth(e.currentTarget.naturalWidth)}
      style={width ? { width: width * scale } : undefined}
    />
  );
}

function PdfPage({ bytes, page, scale }: { bytes: ArrayBuffer; page: number; scale: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<pdfjs.PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    // pdf.js takes the buffer over: give it a copy, so a re-render can read it again.
    const task = pdfjs.getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false });
    task.promise.then(setDoc, (e) => setError(String(e?.message ?? e)));
    return () => void task.destroy();
  }, [bytes]);
  useEffect(() => {
    if (!doc || !canvas.current) return;
    let cancelled = false;
    doc.getPage(page).then((p) => {
      if (cancelled || !canvas.current) return;
      const viewport = p.getViewport({ scale: scale * (window.devicePixelRatio || 1) });
      const c = canvas.current;
      c.width = viewport.width;
      c.height = viewport.height;
      c.style.width = `${viewport.width / (window.devicePixelRatio || 1)}px`;
      const ctx = c.getContext("2d");
      if (!ctx) return;
      p.render({ canvasContext: ctx, viewport }).promise.then(
        () => !cancelled && c.setAttribute("data-rendered", String(page)),
        () => undefined,
      );
    }, (e) => setError(String(e?.message ?? e)));
    return () => { cancelled = true; };
  }, [doc, page, scale]);
  if (error) return <div className="error">{error}</div>;
  return <canvas ref={canvas} data-testid="pdf-page" />;
}
