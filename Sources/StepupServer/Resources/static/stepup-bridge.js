// stepup-bridge.js: what an extension's page uses to talk to the banking app. Load it with a classic <script>
// tag. It waits for the banking app's MessageChannel (sent to this frame by its parent on every load) and speaks
// only over that port. In a popup the banking app opened (redirect-based external MFA) it says hello to the
// opener, on the bank's origin only, and takes the port from there. Opened any other way, it never connects.
(function () {
  'use strict';
  var port = null;
  var pending = new Map();
  var nextId = 1;
  var resolveConnected, rejectConnected;
  var connected = new Promise(function (resolve, reject) { resolveConnected = resolve; rejectConnected = reject; });
  connected.catch(function () {});

  var host = window.parent !== window ? window.parent : window.opener;
  if (!host) {
    rejectConnected(new Error('This page is not hosted by the banking app.'));
  } else if (host === window.opener) {
    // Delivered only if the opener is the bank's own page: a page elsewhere that opened this one learns nothing.
    try { host.postMessage({ type: 'stepup:hello', version: 1 }, window.location.origin); } catch (e) { rejectConnected(e); }
  }

  window.addEventListener('message', function (event) {
    if (port || !host || event.source !== host || event.origin !== window.location.origin) return;
    var data = event.data;
    if (!data || data.type !== 'stepup:connect' || !event.ports || event.ports.length !== 1) return;
    port = event.ports[0];
    port.onmessage = function (e) {
      var reply = e.data;
      if (!reply || !pending.has(reply.id)) return;
      var waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.ok) {
        waiter.resolve(reply.result);
      } else {
        var error = new Error((reply.error && reply.error.message) || 'The call failed.');
        Object.assign(error, reply.error || {});
        waiter.reject(error);
      }
    };
    resolveConnected(bridge);
  });

  function call(kind, payload) {
    return connected.then(function () {
      return new Promise(function (resolve, reject) {
        var id = nextId++;
        pending.set(id, { resolve: resolve, reject: reject });
        port.postMessage(Object.assign({ id: id, kind: kind }, payload));
      });
    });
  }

  var bridge = {
    /** Resolves when the banking app has connected this page. */
    connected: connected,
    sources: {
      /** requestExtensionData(route, body) or requestExtensionData({route, body}): calls the extension's route. */
      requestExtensionData: function (routeOrOptions, body) {
        var options = typeof routeOrOptions === 'string' ? { route: routeOrOptions, body: body } : (routeOrOptions || {});
        return call('requestExtensionData', { route: options.route, body: options.body });
      },
      /** Runs the MFA workflow up front; resolves when it completes, rejects when the user cancels. */
      promptForMFA: function (options) {
        return call('promptForMFA', { message: options && options.message });
      },
    },
    actions: {
      /** Hands an external MFA token to the banking app, or {exit: true} to leave the workflow. */
      verifyMFA: function (options) {
        return call('verifyMFA', { token: options && options.token, exit: !!(options && options.exit) });
      },
      /**
       * Redirect-based external MFA: the banking app opens a popup, calls the route for the sign-in address and
       * sends the popup there (only to an origin the extension is allowed). {route}
       */
      redirectForAuthentication: function (options) {
        return call('redirectForAuthentication', { route: options && options.route });
      },
      /** Shows a message in the banking app: {title, msg, modalType: Info | Success | Warning | Error}. */
      showModal: function (options) {
        return call('showModal', { title: options && options.title, msg: options && options.msg, modalType: options && options.modalType });
      },
    },
  };
  window.bridge = bridge;
})();
