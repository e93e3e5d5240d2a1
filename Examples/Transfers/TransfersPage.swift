/// The transfer extension's page and script. The page talks to its routes only through the bridge; a plain form
/// post from the sandboxed frame would carry no session.
enum TransfersPage {
    static func html(baseAssetsURL: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Transfer funds</title>
        <link rel="stylesheet" href="/static/extension.css">
        <script src="/static/stepup-bridge.js"></script>
        <script src="\(HTML.escape(baseAssetsURL))transfers.js" defer></script>
        </head>
        <body>
        <h1>Transfer funds</h1>
        <form id="transfer" novalidate>
          <label for="fromAccount">From account</label>
          <select id="fromAccount" name="fromAccount" required><option value="">Loading…</option></select>
          <label for="toPayee">To payee</label>
          <input id="toPayee" name="toPayee" required maxlength="100" autocomplete="off">
          <label for="amount">Amount (USD)</label>
          <input id="amount" name="amount" required inputmode="decimal" placeholder="0.00">
          <label for="memo">Memo (optional)</label>
          <input id="memo" name="memo" maxlength="140">
          <button type="submit" id="send">Send transfer</button>
        </form>
        <div id="duplicate" class="result" role="alertdialog" aria-labelledby="duplicate-text" hidden>
          <p id="duplicate-text"></p>
          <button type="button" id="duplicate-send">Yes, send it again</button>
          <button type="button" class="secondary" id="duplicate-cancel">No, don't send</button>
        </div>
        <p><button type="button" class="secondary" id="statement">Show balances (verifies you first)</button></p>
        <div id="result" class="result" role="status" aria-live="polite"></div>
        </body></html>
        """
    }

    static let script = #"""
        'use strict';
        const form = document.getElementById('transfer');
        const result = document.getElementById('result');
        const money = (minor) => (minor / 100).toFixed(2);

        function transactionId() {
          const bytes = new Uint8Array(16);
          crypto.getRandomValues(bytes);
          return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        }

        async function loadAccounts() {
          const accounts = await bridge.sources.requestExtensionData('accounts');
          const select = document.getElementById('fromAccount');
          const chosen = select.value;
          select.replaceChildren(...accounts.map((account) => {
            const option = document.createElement('option');
            option.value = account.id;
            option.textContent = `${account.name} ${account.number} · ${money(account.balanceMinor)} ${account.currency}`;
            return option;
          }));
          if (accounts.some((account) => account.id === chosen)) select.value = chosen;
        }
        bridge.connected.then(loadAccounts);

        // One transaction id per filled form: a double click, a retry after a timeout or a reload of the answer
        // sends the same id, and the bank pays it once. Editing the form makes it a new transfer.
        let pending = null;
        // The exact call the bank asked about, kept so "yes" confirms that call and nothing edited since.
        let flagged = null;
        const send = document.getElementById('send');
        const duplicate = document.getElementById('duplicate');
        const fields = form.querySelectorAll('input, select');
        form.addEventListener('input', () => { pending = null; flagged = null; duplicate.hidden = true; });

        function busy(on) {
          send.disabled = on;
          fields.forEach((field) => { field.readOnly = on; });
          if (on) send.setAttribute('aria-busy', 'true'); else send.removeAttribute('aria-busy');
        }

        async function call(route, body) {
          busy(true);
          duplicate.hidden = true;
          result.textContent = 'Sending…';
          try {
            const receipt = await bridge.sources.requestExtensionData({ route, body });
            result.textContent = `Sent ${body.amount} USD to ${body.toPayee}. New balance: ${money(receipt.balanceMinor)} USD.`;
            form.reset();
            pending = null;
            flagged = null;
            result.scrollIntoView({ block: 'nearest' });
            loadAccounts();
          } catch (error) {
            result.textContent = '';
            if (error.code === 'transfer_duplicate_suspected' && route === 'submit') {
              flagged = body;
              document.getElementById('duplicate-text').textContent =
                `You sent ${body.amount} USD to ${body.toPayee} a few minutes ago. Send the same amount again?`;
              duplicate.hidden = false;
              duplicate.scrollIntoView({ block: 'nearest' });
              // The safe answer has the focus: a second Enter does not pay twice.
              document.getElementById('duplicate-cancel').focus();
              return;
            }
            bridge.actions.showModal({ title: 'Transfer not sent', msg: error.message || 'The transfer could not be made. No money was moved.', modalType: 'Error' });
          } finally {
            busy(false);
          }
        }

        form.addEventListener('submit', (event) => {
          event.preventDefault();
          if (send.disabled) return;
          pending ??= transactionId();
          call('submit', {
            transactionId: pending,
            fromAccount: form.fromAccount.value,
            toPayee: form.toPayee.value.trim(),
            amount: form.amount.value.trim(),
            memo: form.memo.value.trim(),
          });
        });
        document.getElementById('duplicate-send').addEventListener('click', () => {
          if (flagged) call('confirm', flagged);
        });
        document.getElementById('duplicate-cancel').addEventListener('click', () => {
          duplicate.hidden = true;
          pending = null;
          flagged = null;
          result.textContent = 'Not sent. No money was moved.';
          send.focus();
        });

        document.getElementById('statement').addEventListener('click', () => {
          bridge.sources.promptForMFA({ message: 'Verify it is you to see your balances.' })
            .then(() => bridge.sources.requestExtensionData('statement'))
            .then((accounts) => {
              result.textContent = accounts.map((a) => `${a.name}: ${money(a.balanceMinor)} ${a.currency}`).join(' · ');
            })
            .catch(() => {
              bridge.actions.showModal({ title: 'Balances not shown', msg: 'Multi-factor authentication is required to see your balances.', modalType: 'Error' });
            });
        });
        """#
}
