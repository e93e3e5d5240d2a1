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

/** base64url, as the platform sends and takes WebAuthn's bytes. */
const b64u = {
  decode: (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4)), (c) => c.charCodeAt(0)),
  encode: (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
};

const passkeysSupported = () => typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

/** What a failed navigator.credentials call means to the customer; `otherWays` when the dialog offers other methods. */
function passkeyProblem(error, rpId, otherWays = true) {
  const orElse = otherWays ? ', or choose another way' : '';
  if (error?.name === 'NotAllowedError') return `The passkey request was cancelled or timed out. Try again${orElse}.`;
  if (error?.name === 'InvalidStateError') return 'This device already holds one of your passkeys.';
  if (error?.name === 'SecurityError') return `Passkeys work only at ${rpId}. Open the bank there${orElse}.`;
  return `Your passkey could not be used. Try again${orElse}.`;
}

/** An amount as the bank writes it everywhere: grouped, two decimals (2,500.00 USD), whatever the browser's locale. */
function formatMinor(minor, currency) {
  return `${(minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
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
  const screens = ['mfa-targets', 'mfa-code', 'mfa-token', 'mfa-passkey', 'mfa-external'];
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
        case 'level_insufficient':
          return lockAll(error.message);
        default: {
          const left = error.detail?.attemptsLeft;
          const suffix = typeof left === 'number' ? ` ${left} attempt${left === 1 ? '' : 's'} left.` : '';
          return setStatus(status, `${error.message}${suffix}`, 'error');
        }
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

    // A ceremony the browser runs (a passkey): the dialog already names what is being authorised; the customer
    // presses the button, the platform issues a single-use WebAuthn challenge, the browser asks for the passkey.
    const showCeremony = (offer) => {
      $('mfa-passkey-use').textContent = offer.ceremonyLabel ?? 'Continue';
      otherWays('mfa-passkey');
      show('mfa-passkey');
    };
    const runCeremony = async (offer) => {
      const button = $('mfa-passkey-use');
      button.disabled = true;
      setStatus(status, 'Waiting for your passkey…');
      try {
        const started = await api(methodPath(offer, 'start'), { method: 'POST', body: {} });
        if (!started.ok) return explain(failure(started));
        const options = started.data.publicKey;
        let credential;
        try {
          credential = await navigator.credentials.get({
            publicKey: {
              challenge: b64u.decode(options.challenge), rpId: options.rpId, timeout: options.timeout,
              userVerification: options.userVerification,
              allowCredentials: options.allowCredentials.map((c) => ({ type: c.type, id: b64u.decode(c.id), transports: c.transports })),
            },
          });
        } catch (error) {
          return setStatus(status, passkeyProblem(error, options.rpId), 'error');
        }
        if (!credential) return setStatus(status, passkeyProblem(null, options.rpId), 'error');
        const response = credential.response;
        const res = await api(methodPath(offer, 'verify'), {
          method: 'POST',
          body: {
            id: credential.id, type: credential.type,
            response: {
              clientDataJSON: b64u.encode(response.clientDataJSON), authenticatorData: b64u.encode(response.authenticatorData),
              signature: b64u.encode(response.signature), userHandle: response.userHandle ? b64u.encode(response.userHandle) : null,
            },
          },
        });
        if (res.ok) return completed(res);
        explain(failure(res));
      } catch {
        setStatus(status, 'We could not reach the bank. Check your connection and try again.', 'error');
      } finally {
        if (!locked) button.disabled = false;
      }
    };

    const present = (offer) => {
      current = offer;
      if (offer.frame) return showFrame(offer);
      if (offer.ceremony) return showCeremony(offer);
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
    on('mfa-passkey-use', 'click', () => runCeremony(current));
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
      // An offer the dialog could not complete (no field to type into, no page, a ceremony this browser cannot run)
      // is not shown.
      const all = view.offers ?? [];
      offers = all.filter((offer) => offer.frame || offer.entry || (offer.ceremony === 'webauthn' && passkeysSupported()));
      if (offers.length === 0) {
        if (all.some((offer) => offer.ceremony === 'webauthn')) return lockAll('This browser cannot use passkeys. Open the bank in a browser that can, or add another way in Security.');
        return lockAll(view.advice ?? 'No way to verify is set up for you here. Please contact the bank.');
      }
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

// MARK: The security page

/**
 * Runs a call that is a factor change: when the platform answers mfa_required, the customer confirms in the MFA
 * dialog and the call is made again. Nil when the customer cancelled.
 */
async function steppedUp(call) {
  let res = await call();
  if (res.status === 401 && failure(res).code === 'mfa_required') {
    try {
      await runMFA(failure(res).detail.challengeId);
    } catch (error) {
      return { cancelled: true, error };
    }
    res = await call();
  }
  return res;
}

function formatDay(iso) {
  return new Date(iso).toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' });
}

/** The customer's passkeys: list, add (after a step-up), rename, remove (after a step-up, never the last factor). */
function securityPage() {
  const list = $('passkey-list');
  const status = $('security-status');
  const note = $('passkey-note');
  const form = $('passkey-add-form');
  let rpId = null;

  const reportFailure = (res) => {
    if (res.cancelled) return setStatus(status, res.error?.code === 'mfa_cancelled' ? 'Nothing was changed: the confirmation was cancelled.' : (res.error?.message ?? 'Nothing was changed.'), 'error');
    setStatus(status, failure(res).message, 'error');
  };

  const render = async () => {
    const res = await api('/api/security/passkeys');
    if (!res.ok) return setStatus(status, failure(res).message, 'error');
    rpId = res.data.rpId;
    list.replaceChildren();
    if (!res.data.available) {
      form.hidden = true;
      return setStatus(note, 'This bank does not offer passkeys yet.');
    }
    const onBankDomain = rpId && (location.hostname === rpId || location.hostname.endsWith(`.${rpId}`));
    if (!passkeysSupported()) {
      form.hidden = true;
      setStatus(note, 'This browser cannot use passkeys. Open the bank in a browser that can.');
    } else if (!onBankDomain) {
      form.hidden = true;
      const there = `${location.protocol}//${rpId}${location.port ? `:${location.port}` : ''}/security`;
      setStatus(note, `Passkeys work only at ${rpId}. Open ${there} to add one.`);
    }
    if (res.data.passkeys.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'You have no passkey yet.';
      list.append(empty);
    }
    for (const passkey of res.data.passkeys) {
      const item = document.createElement('li');
      item.dataset.passkey = passkey.id;
      const name = document.createElement('span');
      name.className = 'factor-name';
      name.textContent = passkey.name;
      const meta = document.createElement('span');
      meta.className = 'factor-meta';
      const kind = passkey.kind === 'synced' ? 'Synced passkey' : 'Passkey on one device';
      meta.textContent = `${kind} · added ${formatDay(passkey.createdAt)} · ${passkey.lastUsedAt ? `last used ${formatDay(passkey.lastUsedAt)}` : 'not used yet'}`;
      const actions = document.createElement('span');
      actions.className = 'factor-actions';
      const rename = document.createElement('button');
      rename.type = 'button';
      rename.className = 'link-button';
      rename.textContent = 'Rename';
      rename.setAttribute('aria-label', `Rename ${passkey.name}`);
      rename.addEventListener('click', () => startRename(item, passkey));
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link-button';
      remove.textContent = 'Remove';
      remove.setAttribute('aria-label', `Remove ${passkey.name}`);
      remove.addEventListener('click', () => removePasskey(passkey));
      actions.append(rename, remove);
      item.append(name, meta, actions);
      list.append(item);
    }
  };

  const startRename = (item, passkey) => {
    const editor = document.createElement('form');
    editor.className = 'add-form';
    const label = document.createElement('label');
    label.textContent = 'New name';
    const input = document.createElement('input');
    input.maxLength = 64;
    input.value = passkey.name;
    input.id = `rename-${passkey.id}`;
    label.htmlFor = input.id;
    const save = document.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.textContent = 'Save name';
    editor.append(label, input, save);
    editor.addEventListener('submit', async (event) => {
      event.preventDefault();
      const res = await api(`/api/security/passkeys/${encodeURIComponent(passkey.id)}`, { method: 'PATCH', body: { name: input.value } });
      if (!res.ok) return setStatus(status, failure(res).message, 'error');
      setStatus(status, 'The passkey was renamed.', 'ok');
      await render();
    });
    item.append(editor);
    input.focus();
  };

  const removePasskey = async (passkey) => {
    setStatus(status, '');
    const res = await steppedUp(() => api(`/api/security/passkeys/${encodeURIComponent(passkey.id)}`, { method: 'DELETE' }));
    if (res.cancelled || !res.ok) return reportFailure(res);
    setStatus(status, `“${passkey.name}” was removed. It can no longer be used to sign in.`, 'ok');
    await render();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('passkey-add');
    button.disabled = true;
    setStatus(status, '');
    try {
      const options = await steppedUp(() => api('/api/security/passkeys/options', { method: 'POST' }));
      if (options.cancelled || !options.ok) return reportFailure(options);
      const creation = options.data.publicKey;
      setStatus(status, 'Follow your device’s prompt to create the passkey…');
      let credential;
      try {
        credential = await navigator.credentials.create({
          publicKey: {
            ...creation,
            challenge: b64u.decode(creation.challenge),
            user: { ...creation.user, id: b64u.decode(creation.user.id) },
            excludeCredentials: creation.excludeCredentials.map((c) => ({ type: c.type, id: b64u.decode(c.id), transports: c.transports })),
          },
        });
      } catch (error) {
        return setStatus(status, passkeyProblem(error, rpId, false), 'error');
      }
      const response = credential.response;
      const res = await api('/api/security/passkeys', {
        method: 'POST',
        body: {
          ceremonyId: options.data.ceremonyId, name: $('passkey-name').value, id: credential.id,
          response: {
            clientDataJSON: b64u.encode(response.clientDataJSON), attestationObject: b64u.encode(response.attestationObject),
            transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
          },
        },
      });
      if (!res.ok) return setStatus(status, failure(res).message, 'error');
      $('passkey-name').value = '';
      setStatus(status, `Passkey “${res.data.name}” added. You can now use it to sign in and confirm payments.`, 'ok');
      await render();
    } catch {
      setStatus(status, 'We could not reach the bank. Check your connection and try again.', 'error');
    } finally {
      button.disabled = false;
    }
  });

  render();
}

const page = document.body.dataset.page;
wireLogout();
if (page === 'login') $('login-form').addEventListener('submit', signIn);
if (page === 'extension') hostExtension();
if (page === 'security') securityPage();
window.stepup = { runMFA, api };
