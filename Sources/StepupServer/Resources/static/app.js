// The banking app: sign-in, the MFA workflow dialog, and the host side of the extension bridge.
// Plain ES module, no build step. Every string from the server or an extension is shown with textContent.

const csrf = { token: document.querySelector('meta[name="csrf-token"]')?.content ?? '' };

/** Calls the platform (or an extension through the platform) with the session's CSRF token. */
async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (method !== 'GET') init.headers['X-CSRF-Token'] = csrf.token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = text;
  if ((response.headers.get('Content-Type') ?? '').includes('application/json')) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  // Any answer that rotated the session carries the new CSRF token.
  if (data && typeof data === 'object' && typeof data.csrfToken === 'string') csrf.token = data.csrfToken;
  return { status: response.status, ok: response.ok, data };
}

function failure(res) {
  const error = res.data?.error ?? {};
  return { code: error.code ?? `http_${res.status}`, message: error.message ?? `The request failed (${res.status}).`, detail: error, status: res.status };
}

/** The readable text of an extension's HTML answer (its error handler's), parsed inert: no script runs, no URL loads. */
function readableText(markup) {
  const doc = new DOMParser().parseFromString(String(markup), 'text/html');
  doc.querySelectorAll('script, style, template, noscript').forEach((element) => element.remove());
  return (doc.body?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/**
 * A refused extension call as the extension's page gets it. A typed platform error keeps its code and message; an
 * answer the route's error handler rendered (HTML or text) keeps the handler's own words, so the customer reads what
 * the extension said happened rather than a status number.
 */
function extensionFailure(res) {
  if (res.data && typeof res.data === 'object' && res.data.error) return { ...failure(res), data: res.data };
  const text = typeof res.data === 'string' ? readableText(res.data) : '';
  return {
    code: res.status === 403 ? 'extension_refused' : `http_${res.status}`,
    message: text || `The request failed (${res.status}).`,
    status: res.status,
    data: res.data,
  };
}

const $ = (id) => document.getElementById(id);

function setStatus(element, text, kind = '') {
  element.textContent = text;
  element.className = `status ${kind}`.trim();
}

function formatTime(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function formatMinor(minor, currency) {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

// MARK: The MFA workflow

let activeWorkflow = null;

/**
 * Drives one challenge in the dialog from what the platform offers for it (GET /api/mfa/challenges/{id} → offers):
 * an offer with choices is started (a code sent to a target) and then its entry is filled; an offer with only an
 * entry is filled at once; an offer with a frame shows an extension's page. The dialog knows no method by name.
 * Resolves when the challenge completes; rejects with { code: 'mfa_cancelled' } when the user leaves, or with the
 * platform's error.
 */
export function runMFA(challengeId, { message } = {}) {
  if (activeWorkflow) return Promise.reject({ code: 'mfa_busy', message: 'Another verification is in progress.' });
  const dialog = $('mfa-dialog');
  const controller = new AbortController();
  const signal = controller.signal;
  const on = (id, event, handler) => $(id).addEventListener(event, handler, { signal });
  const screens = ['mfa-targets', 'mfa-code', 'mfa-token', 'mfa-external'];
  const status = $('mfa-status');
  const methodPath = (offer, step) => `/api/mfa/challenges/${challengeId}/methods/${encodeURIComponent(offer.method)}/${step}`;
  let offers = [];
  // The offer on screen, and the one whose code was sent (its entry is the code screen's).
  let current = null;
  let started = null;
  // The choice the code went to, kept for "Send a new code" and preselected when the user looks at the choices again.
  let chosenId = null;
  // Set once the dialog can go no further (locked out, expired): nothing re-enables its controls after that.
  let locked = false;
  // Where the keyboard was (an extension's frame, say): it goes back there when the dialog closes.
  const opener = document.activeElement;

  return new Promise((resolve, reject) => {
    const finish = (outcome, value) => {
      controller.abort();
      activeWorkflow = null;
      if (dialog.open) dialog.close();
      if (opener && opener !== document.body && opener.isConnected) opener.focus();
      outcome === 'ok' ? resolve(value) : reject(value);
    };
    activeWorkflow = {
      cancel: async () => {
        await api(`/api/mfa/challenges/${challengeId}/cancel`, { method: 'POST' }).catch(() => {});
        finish('error', { code: 'mfa_cancelled', message: 'Verification was cancelled.', challengeId });
      },
    };

    const show = (screen) => {
      for (const id of screens) $(id).hidden = id !== screen;
      const first = $(screen).querySelector('input:not([type=radio]), input[type=radio]:checked, input, button');
      first?.focus();
    };
    const lockAll = (text) => {
      locked = true;
      setStatus(status, text, 'error');
      for (const element of dialog.querySelectorAll('.mfa-screen input, .mfa-screen button')) element.disabled = true;
      $('mfa-cancel').textContent = 'Close';
      $('mfa-cancel').focus();
    };
    const explain = (error) => {
      switch (error.code) {
        case 'code_invalid':
        case 'token_invalid':
          return setStatus(status, `That code is not correct. ${error.detail.attemptsLeft} attempt${error.detail.attemptsLeft === 1 ? '' : 's'} left.`, 'error');
        case 'token_replayed':
          return setStatus(status, 'That code was already used. Wait for the next one in your app.', 'error');
        case 'code_expired':
          return setStatus(status, 'This code has expired. Send a new one.', 'error');
        case 'attempts_exhausted':
        case 'user_locked':
          return lockAll(`Too many failed attempts. You can try again after ${formatTime(error.detail.lockedUntil)}.`);
        case 'challenge_expired':
          return lockAll('This verification has expired. Close it and start again.');
        case 'resend_too_soon':
          return setStatus(status, `Please wait ${error.detail.retryAfter} seconds before asking for another code.`, 'error');
        case 'send_limit_reached':
          return setStatus(status, 'Too many codes were sent. Try again later or choose another way.', 'error');
        case 'delivery_failed':
          return setStatus(status, 'We could not deliver the code there. Please choose another way.', 'error');
        default:
          return setStatus(status, error.message, 'error');
      }
    };
    const completed = (res) => finish('ok', { challengeId, stage: res.data.stage });

    // The other offers, as links under the screen shown, so the user can switch ways at any point.
    const otherWays = (screen) => {
      for (const container of dialog.querySelectorAll('[data-other-ways]')) container.replaceChildren();
      const container = $(screen).querySelector('[data-other-ways]');
      if (!container) return;
      for (const offer of offers) {
        if (offer === current) continue;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'link-button';
        button.id = `mfa-use-${offer.method}`;
        button.textContent = `${offer.label} instead`;
        button.addEventListener('click', () => { setStatus(status, ''); present(offer); }, { signal });
        container.append(button);
      }
    };

    // The field a proof is typed into, as the offer declares it.
    const prepareEntry = (input, label, entry) => {
      label.textContent = entry.label;
      input.name = entry.field;
      input.inputMode = entry.inputMode;
      input.autocomplete = entry.autocomplete;
      input.maxLength = entry.maxLength;
      input.value = '';
    };

    // An extension's page in a sandboxed frame inside the dialog; its page ends the workflow through the bridge's
    // verifyMFA({token}) or verifyMFA({exit: true}). A frame's proof is always { token }.
    const showFrame = (offer) => {
      const frameOffer = offer.frame;
      const slot = $('mfa-external-slot');
      slot.replaceChildren();
      const frame = document.createElement('iframe');
      frame.sandbox = 'allow-scripts allow-forms';
      frame.title = 'Verification';
      frame.dataset.extension = frameOffer.extension;
      frame.dataset.src = `/ext/${encodeURIComponent(frameOffer.extension)}/${encodeURIComponent(frameOffer.entryRoute ?? 'verify')}`;
      slot.append(frame);
      connectFrame(frame, frameOffer.extension, {
        async verifyMFA(message) {
          if (message.exit === true) {
            await activeWorkflow?.cancel();
            return { exited: true };
          }
          if (typeof message.token !== 'string' || message.token.length > 300) throw { code: 'bad_request', message: 'The token is not valid.' };
          const res = await api(methodPath(offer, 'verify'), { method: 'POST', body: { token: message.token } });
          if (res.ok) {
            completed(res);
            return { verified: true };
          }
          const error = failure(res);
          if (error.code === 'token_invalid') {
            setStatus(status, `That did not work. ${error.detail.attemptsLeft} attempt${error.detail.attemptsLeft === 1 ? '' : 's'} left.`, 'error');
          } else {
            explain(error);
          }
          throw { code: error.code, message: error.message, data: error.detail };
        },
      }, signal, { authorizationOrigins: frameOffer.authorizationOrigins ?? [] });
      show('mfa-external');
    };

    const showChoices = (offer, selected = null) => {
      $('mfa-targets-legend').textContent = offer.prompt ?? offer.label;
      $('mfa-send').textContent = offer.startLabel ?? 'Continue';
      const list = $('mfa-target-list');
      list.replaceChildren();
      offer.choices.forEach((choice, index) => {
        const label = document.createElement('label');
        label.className = 'choice';
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = 'target';
        input.value = choice.id;
        input.checked = selected ? choice.id === selected : index === 0;
        const kinds = { email: 'Email', sms: 'Text message', voice: 'Voice call', push: 'Push notification' };
        label.append(input, document.createTextNode(`${kinds[choice.kind] ?? choice.kind} · ${choice.masked}`));
        list.append(label);
      });
      otherWays('mfa-targets');
      show('mfa-targets');
    };

    const present = (offer) => {
      current = offer;
      if (offer.frame) return showFrame(offer);
      if (offer.choices.length > 0) return showChoices(offer);
      prepareEntry($('mfa-token-input'), $('mfa-token-label'), offer.entry);
      otherWays('mfa-token');
      show('mfa-token');
    };

    // Sends to the checked choice, or again to the one the last code went to.
    const send = async (again = null) => {
      const offer = again ? started : current;
      const choiceId = again ?? dialog.querySelector('input[name=target]:checked')?.value;
      if (!choiceId) return setStatus(status, 'Choose where to send the code.', 'error');
      $('mfa-send').disabled = true;
      $('mfa-resend').disabled = true;
      setStatus(status, 'Sending…');
      let res;
      try {
        res = await api(methodPath(offer, 'start'), { method: 'POST', body: { [offer.startField ?? 'id']: choiceId } });
      } catch {
        res = null;
      } finally {
        if (!locked) {
          $('mfa-send').disabled = false;
          $('mfa-resend').disabled = false;
        }
      }
      if (!res) return setStatus(status, 'We could not reach the bank. Check your connection and try again.', 'error');
      if (locked) return;
      if (!res.ok) return explain(failure(res));
      started = offer;
      chosenId = choiceId;
      const choice = offer.choices.find((c) => c.id === choiceId);
      $('mfa-sent-to').textContent = `We sent a code to ${choice?.masked ?? 'you'}.`;
      prepareEntry($('mfa-code-input'), $('mfa-code-label'), offer.entry);
      setStatus(status, '');
      show('mfa-code');
    };

    const verify = async (input, offer) => {
      const entry = offer.entry;
      const value = input.value.trim();
      if (!new RegExp(entry.pattern).test(value)) return setStatus(status, entry.hint, 'error');
      setStatus(status, 'Checking…');
      const res = await api(methodPath(offer, 'verify'), { method: 'POST', body: { [entry.field]: value } });
      if (res.ok) return completed(res);
      input.value = '';
      input.focus();
      explain(failure(res));
    };

    on('mfa-send', 'click', () => send());
    on('mfa-resend', 'click', () => send(chosenId));
    on('mfa-other-target', 'click', () => { setStatus(status, ''); showChoices(started, chosenId); });
    on('mfa-verify-code', 'click', () => verify($('mfa-code-input'), started));
    on('mfa-verify-token', 'click', () => verify($('mfa-token-input'), current));
    on('mfa-code-input', 'keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); verify($('mfa-code-input'), started); } });
    on('mfa-token-input', 'keydown', (event) => { if (event.key === 'Enter') { event.preventDefault(); verify($('mfa-token-input'), current); } });
    on('mfa-cancel', 'click', () => activeWorkflow?.cancel());
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); activeWorkflow?.cancel(); }, { signal });

    (async () => {
      for (const element of dialog.querySelectorAll('input, button')) element.disabled = false;
      $('mfa-cancel').textContent = 'Cancel';
      setStatus(status, '');
      $('mfa-context').textContent = message ?? '';
      dialog.showModal();
      const res = await api(`/api/mfa/challenges/${challengeId}`);
      if (!res.ok) return explain(failure(res));
      const view = res.data;
      const challenge = view.challenge;
      if (!message) {
        if (challenge.context === 'transaction') {
          const lines = challenge.transactions.map((t) => `${formatMinor(t.amountMinor, t.currency)} to ${t.payee}`);
          $('mfa-context').textContent = `Authorise ${lines.join(', ')}.`;
        } else if (challenge.context === 'event_driven_validation') {
          $('mfa-context').textContent = `Confirm this action: ${challenge.auditActionName}.`;
        } else if (challenge.context === 'logon') {
          $('mfa-context').textContent = 'Confirm it is you to finish signing in.';
        }
      }
      const ended = {
        completed: 'This verification is already complete. Close it and go on.',
        expired: 'This verification has expired. Close it and start again.',
        locked: 'Too many failed attempts. Close this and try again later.',
      };
      if (!['created', 'method_chosen', 'secret_sent'].includes(challenge.state)) {
        return lockAll(ended[challenge.state] ?? 'This verification has ended. Close it and start again.');
      }
      // An offer the dialog could not complete (no field to type into and no page) is not shown.
      offers = (view.offers ?? []).filter((offer) => offer.frame || offer.entry);
      if (offers.length === 0) return lockAll('No way to verify is set up for you here. Please contact the bank.');
      present(offers[0]);
    })();
  });
}

// MARK: Notices (the bridge's showModal)

function showNotice({ title, msg, modalType }) {
  const dialog = $('notice-dialog');
  dialog.dataset.type = modalType;
  $('notice-title').textContent = title;
  $('notice-message').textContent = msg;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(), { once: true });
    dialog.showModal();
    $('notice-ok').focus();
  });
}

// MARK: Pages

async function signIn(event) {
  event.preventDefault();
  const status = $('login-status');
  const username = $('username').value.trim();
  const password = $('password').value;
  if (!username || !password) return setStatus(status, 'Enter your username and password.', 'error');
  $('login-submit').disabled = true;
  setStatus(status, 'Signing in…');
  const res = await api('/api/logon', { method: 'POST', body: { username, password } });
  $('login-submit').disabled = false;
  if (!res.ok) {
    const error = failure(res);
    return setStatus(status, error.code === 'logon_throttled' ? 'Too many attempts. Please wait a while and try again.' : error.message, 'error');
  }
  if (res.data.stage === 'authenticated') return window.location.assign('/');
  try {
    await runMFA(res.data.challenge.id);
    window.location.assign('/');
  } catch (error) {
    setStatus(status, error.code === 'mfa_cancelled' ? 'Sign-in was cancelled.' : error.message, 'error');
    if (error.code === 'mfa_cancelled') await api('/api/logout', { method: 'POST' });
  }
}

const routePattern = /^[A-Za-z0-9_-]{1,64}$/;
const modalTypes = new Set(['Info', 'Success', 'Warning', 'Error']);

/**
 * Connects the bridge of one sandboxed extension frame: a new MessageChannel on every load of the frame (the old port
 * is closed, so a page the frame navigated away from, or anything else, cannot keep talking); only that port is
 * trusted, window messages are never read. `overrides` replaces handlers (the MFA dialog's verifyMFA).
 */
function connectFrame(frame, name, overrides = {}, signal, { authorizationOrigins = [] } = {}) {
  let port = null;
  let popup = null;
  signal?.addEventListener('abort', () => popup?.close());

  const callExtension = async (route, body) => {
    const path = `/ext/${encodeURIComponent(name)}/${route}`;
    let res = await api(path, { method: 'POST', body });
    if (res.status === 401 && res.data?.error?.code === 'mfa_required' && !activeWorkflow) {
      const challengeId = res.data.error.challengeId;
      try {
        await runMFA(challengeId);
      } catch (error) {
        // The user left the workflow: the route's error handler, if it has one, says what to show.
        const after = await api(path, { method: 'POST', body, headers: { 'X-Stepup-Challenge': challengeId } });
        const answer = after.ok ? null : extensionFailure(after);
        throw { code: error.code ?? 'mfa_cancelled', message: answer?.message ?? error.message, status: after.status, data: after.data };
      }
      res = await api(path, { method: 'POST', body, headers: { 'X-Stepup-Challenge': challengeId } });
    }
    if (!res.ok) throw extensionFailure(res);
    return res.data;
  };

  const handlers = {
    async requestExtensionData(message) {
      if (typeof message.route !== 'string' || !routePattern.test(message.route)) throw { code: 'bad_request', message: 'The route name is not valid.' };
      const body = message.body ?? {};
      if (typeof body !== 'object' || Array.isArray(body) || JSON.stringify(body).length > 65536) {
        throw { code: 'bad_request', message: 'The body must be a JSON object of at most 64 KiB.' };
      }
      return callExtension(message.route, body);
    },
    async promptForMFA(message) {
      const text = typeof message.message === 'string' ? message.message.slice(0, 200) : undefined;
      const res = await api('/api/mfa/challenges', { method: 'POST', body: { extension: name } });
      if (!res.ok) throw failure(res);
      await runMFA(res.data.id, { message: text });
      return { completed: true };
    },
    async verifyMFA(message) {
      if (message.exit === true && activeWorkflow) {
        await activeWorkflow.cancel();
        return { exited: true };
      }
      throw { code: 'no_workflow', message: 'No verification is waiting for a token here.' };
    },
    /**
     * Redirect-based external MFA: opens a popup at once (while the click still counts as the user's), asks the
     * extension's route for the sign-in URL, and sends the popup there only if its origin is one the extension may
     * use. The provider sends the popup back to the extension's verify.html, whose bridge says hello to this window;
     * only that popup is connected, with this frame's handlers.
     */
    async redirectForAuthentication(message) {
      if (typeof message.route !== 'string' || !routePattern.test(message.route)) throw { code: 'bad_request', message: 'The route name is not valid.' };
      popup?.close();
      popup = window.open('about:blank', `stepup-signin-${name}`, 'popup,width=520,height=720');
      if (!popup) throw { code: 'popup_blocked', message: 'Allow pop-ups for online banking, then try again.' };
      let target;
      try {
        const answer = await callExtension(message.route, {});
        target = new URL(String(answer?.authorizationURL ?? ''));
      } catch (error) {
        popup.close();
        throw error.code ? error : { code: 'bad_request', message: 'The extension did not answer a sign-in address.' };
      }
      if (!authorizationOrigins.includes(target.origin)) {
        popup.close();
        throw { code: 'forbidden', message: 'The extension may not send you there.' };
      }
      const opened = popup;
      const onHello = (event) => {
        if (event.source !== opened || event.data?.type !== 'stepup:hello') return;
        const channel = new MessageChannel();
        listen(channel.port1);
        signal?.addEventListener('abort', () => channel.port1.close());
        opened.postMessage({ type: 'stepup:connect', version: 1 }, '*', [channel.port2]);
      };
      window.addEventListener('message', onHello, signal ? { signal } : undefined);
      opened.location.href = target.href;
      return { opened: true };
    },
    async showModal(message) {
      const notice = {
        title: String(message.title ?? '').slice(0, 120),
        msg: String(message.msg ?? '').slice(0, 1000),
        modalType: modalTypes.has(message.modalType) ? message.modalType : 'Info',
      };
      await showNotice(notice);
      return { shown: true };
    },
    ...overrides,
  };

  const listen = (channelPort) => {
    channelPort.onmessage = async (event) => {
      const message = event.data;
      if (!message || typeof message !== 'object' || !(typeof message.id === 'number' || typeof message.id === 'string')) return;
      const handler = Object.hasOwn(handlers, message.kind) ? handlers[message.kind] : null;
      try {
        if (!handler) throw { code: 'bad_request', message: 'Unknown bridge call.' };
        channelPort.postMessage({ id: message.id, ok: true, result: await handler(message) });
      } catch (error) {
        channelPort.postMessage({ id: message.id, ok: false, error: { code: error.code ?? 'error', message: error.message ?? 'The call failed.', status: error.status, data: error.data } });
      }
    };
  };

  frame.addEventListener('load', () => {
    port?.close();
    const channel = new MessageChannel();
    port = channel.port1;
    listen(port);
    frame.contentWindow.postMessage({ type: 'stepup:connect', version: 1 }, '*', [channel.port2]);
  }, signal ? { signal } : undefined);
  signal?.addEventListener('abort', () => port?.close());
  frame.src = frame.dataset.src;
}

/** The extension page: one extension in its frame. */
function hostExtension() {
  const frame = $('extension-frame');
  connectFrame(frame, frame.dataset.extension);
}

function wireLogout() {
  $('logout')?.addEventListener('click', async () => {
    await api('/api/logout', { method: 'POST' });
    window.location.assign('/login');
  });
}

const page = document.body.dataset.page;
wireLogout();
if (page === 'login') $('login-form').addEventListener('submit', signIn);
if (page === 'extension') hostExtension();
window.stepup = { runMFA, api };
