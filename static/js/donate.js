/* Donation page: create the donation (and its PaymentIntent) through our API, tokenise the card
 * with Stripe.js's card element, let the server attach it and confirm, and run 3-D Secure with
 * confirmCardPayment only if the bank asks for it. The receipt page follows.
 * Stripe.js itself is loaded from STRIPE_JS_URL (Stripe's own address; localstripe's copy in tests). */
(function () {
  "use strict";
  var form = document.getElementById("donate-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.key);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errorBox = document.getElementById("donate-error");
  var button = document.getElementById("donate-button");
  var lang = document.documentElement.lang;

  function fail(text) {
    errorBox.textContent = text || form.dataset.genericError;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    button.disabled = true;
    var body = {
      amount: Math.round(parseFloat(form.amount.value || "0") * 100),
      currency: "cny",
      anonymous: form.anonymous.checked,
      message: form.message.value,
      donor_name: form.donor_name.value
    };
    if (form.dataset.project) { body.project_id = parseInt(form.dataset.project, 10); }
    else { body.community_id = parseInt(form.dataset.community, 10); }
    var donation;
    postJSON(form.dataset.api, body).then(function (created) {
      if (!created.ok) { throw new Error(created.data.detail); }
      donation = created.data;
      return stripe.createToken(card);
    }).then(function (result) {
      if (result.error) { throw new Error(result.error.message); }
      return postJSON(form.dataset.api + "/" + donation.id + "/pay", { client_secret: donation.client_secret, token: result.token.id });
    }).then(function (paid) {
      if (!paid.ok) { throw new Error(paid.data.detail); }
      if (paid.data.payment_status === "requires_action") {
        return stripe.confirmCardPayment(donation.client_secret);
      }
      return null;
    }).then(function () {
      location.href = form.dataset.receipt + donation.id + "/receipt/?client_secret=" + encodeURIComponent(donation.client_secret);
    }).catch(function (err) { fail(err && err.message); });
  });
})();
