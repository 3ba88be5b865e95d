"""``/stripe/webhook/``: Stripe's signed events. No session, no CSRF (Stripe signs instead)."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from funds.services import stripe_webhook_handle

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        outcome = stripe_webhook_handle(payload=request.body, signature=request.headers.get("Stripe-Signature"))
    except ApplicationError as exc:
        return JsonResponse({"detail": str(exc.message), "code": exc.code}, status=exc.status)
    logger.info("stripe webhook: %s", outcome)
    return JsonResponse({"status": outcome})
