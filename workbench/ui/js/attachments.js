// The files waiting to go out with a reply. Each is uploaded as soon as it is
// picked (POST /v1/files), so sending only names parts the gateway already
// keeps; the list tracks every upload's state for the composer to show and
// to hold the send until they are done. No DOM here (tested in node).

let nextKey = 0;

/**
 * Why an upload failed, as an i18n key and its parameters: a body over the
 * gateway's max_body_bytes answers 413; anything else keeps the server's
 * (or the network's) message.
 */
export function uploadError(err, name) {
  if (err?.status === 413) return { key: 'attach.tooLarge', params: { name } };
  if (err?.status === 0) return { key: 'attach.network', params: { name } };
  return { key: 'attach.failed', params: { name, reason: err?.message || String(err) } };
}

export class PendingAttachments extends EventTarget {
  /** upload(file) → the POST /v1/files answer ({part, ...}); throws ApiError. */
  constructor(upload) {
    super();
    this.upload = upload;
    this.items = [];
  }

  /** Starts uploading each file; resolves when all of these are settled. */
  add(files) {
    const started = [...files].map((file) => {
      const item = { key: ++nextKey, name: file.name || 'file', size: file.size, type: file.type || '', state: 'uploading', error: null, part: null };
      this.items.push(item);
      return this.uploadOne(item, file);
    });
    this.changed();
    return Promise.all(started);
  }

  async uploadOne(item, file) {
    try {
      const answer = await this.upload(file);
      if (!answer?.part?.type) throw new Error('the gateway answered no part');
      item.part = answer.part;
      item.state = 'ready';
    } catch (e) {
      item.state = 'failed';
      item.error = uploadError(e, item.name);
    }
    if (this.items.includes(item)) this.changed(); // removed while uploading: nothing to show
  }

  remove(key) {
    const before = this.items.length;
    this.items = this.items.filter((i) => i.key !== key);
    if (this.items.length !== before) this.changed();
  }

  clear() {
    if (!this.items.length) return;
    this.items = [];
    this.changed();
  }

  get uploading() { return this.items.some((i) => i.state === 'uploading'); }
  get failed() { return this.items.some((i) => i.state === 'failed'); }
  get empty() { return this.items.length === 0; }

  /** The parts to put in the reply, in the order the files were picked. */
  parts() { return this.items.filter((i) => i.state === 'ready').map((i) => i.part); }

  changed() { this.dispatchEvent(new Event('change')); }
}
