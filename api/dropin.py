"""Adyen Web Drop-in on the guest's manage page (payment_provider=adyen).

The checkout session the workflow opened is handed to Adyen's own script, loaded
by the guest's browser from Adyen's CDN; card data never touches this server. A
redirect payment method (iDEAL, 3-D Secure) returns to the manage page with
`redirectResult`, which the same script submits to finish the payment.
"""

from __future__ import annotations

import html
import json

from models.schemas.lifecycle import CheckoutSessionOut


def _js(value: object) -> str:
    # JSON is valid JavaScript; "</" is escaped so no value can close the <script> element
    return json.dumps(value).replace("</", "<\\/")


def dropin_html(
    checkout: CheckoutSessionOut,
    *,
    version: str,
    country_code: str | None,
    locale: str,
    redirect_result: str | None,
) -> str:
    """The Drop-in container and the scripts that mount it for `checkout`."""
    cdn = f"https://checkoutshopper-{checkout.environment}.cdn.adyen.com/checkoutshopper/sdk/"
    base = html.escape(cdn + version)
    config = {
        "environment": checkout.environment,
        "clientKey": checkout.client_key,
        "locale": locale,
        "session": {"id": checkout.session_id, "sessionData": checkout.session_data},
    }
    if country_code:
        config["countryCode"] = country_code
    return f"""<link rel="stylesheet" href="{base}/adyen.css">
<div id="dropin"></div><p id="dropin-note"></p>
<script src="{base}/adyen.js"></script>
<script>
(async () => {{
  const note = (text) => {{ document.getElementById("dropin-note").textContent = text; }};
  const {{ AdyenCheckout, Dropin }} = window.AdyenWeb;
  const checkout = await AdyenCheckout({{
    ...{_js(config)},
    onPaymentCompleted: () => {{
      note("Thank you: the payment is being confirmed.");
      setTimeout(() => window.location.reload(), 3000);
    }},
    onPaymentFailed: () => note("The payment did not go through. You may try again."),
    onError: (error) => note("The payment could not be started: " + error.message),
  }});
  const redirectResult = {_js(redirect_result)};
  if (redirectResult) {{
    checkout.submitDetails({{ details: {{ redirectResult }} }});
  }} else {{
    new Dropin(checkout).mount("#dropin");
  }}
}})();
</script>"""
