/* Donation page: create the donation (and its PaymentIntent) through our API, then let Stripe.js
 * collect the card with the card element and confirm the payment; the receipt page follows.
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

  function fail(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
    button.disabled = false;
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
    fetch(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": document.documentElement.lang },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) { fail(result.data.detail || "Error"); return; }
      var donation = result.data;
      return stripe.confirmCardPayment(donation.client_secret, { payment_method: { card: card } }).then(function (outcome) {
        if (outcome.error) { fail(outcome.error.message); }
        location.href = form.dataset.receipt + donation.id + "/receipt/?client_secret=" + encodeURIComponent(donation.client_secret);
      });
    }).catch(function () { fail(form.dataset.error || "Network error"); });
  });
})();
