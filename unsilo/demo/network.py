"""The demo connector: delivers every reply at once and, now and then, has the customer answer
a few seconds later through the one ingestion pipeline, threaded to the reply.

The chance of a follow-up is the setting UNSILO_DEMO_FOLLOWUP (else the environment variable
of that name, else 0.3); the tests set it to 0. UNSILO_DEMO_SEED seeds the choices.
"""

import datetime
import os
import random
import threading
import uuid

from django.conf import settings
from django.utils import timezone

from unsilo.connectors import limits
from unsilo.connectors.base import (
    AccountInfo,
    Connector,
    DeliveryResult,
    Outbound,
    PermanentError,
    Session,
)
from unsilo.connectors.models import Delivery, DeliveryState

DEFAULT_CHANCE = 0.3
# X refuses a post with the same text as one the account already posted.
REFUSES_DUPLICATES = {"x"}
DUPLICATE = "403: You are not allowed to create a Tweet with duplicate content."
FOLLOW_UP_AFTER = datetime.timedelta(seconds=4)

# (happy, unhappy) answers of a customer, by language.
FOLLOW_UPS: dict[str, tuple[list[str], list[str]]] = {
    "en": (["Thanks, that worked!", "Great, thank you so much!", "Perfect, sorted now 👍"],
           ["Still not fixed…", "That doesn't answer my question.",
            "I tried that already, it still doesn't work."]),
    "de": (["Danke, das hat geklappt!", "Super, vielen Dank!"],
           ["Immer noch nicht behoben…", "Das beantwortet meine Frage nicht."]),
    "fr": (["Merci, ça marche !", "Parfait, merci beaucoup !"],
           ["Toujours pas réglé…", "Ça ne répond pas à ma question."]),
    "es": (["¡Gracias, ya funciona!", "¡Perfecto, muchas gracias!"],
           ["Sigue sin arreglarse…", "Eso no responde a mi pregunta."]),
    "it": (["Grazie, ha funzionato!"], ["Ancora non risolto…"]),
    "pt": (["Obrigado, funcionou!"], ["Ainda não foi resolvido…"]),
    "nl": (["Bedankt, het werkt!"], ["Nog steeds niet opgelost…"]),
}


def follow_up_chance() -> float:
    value = getattr(settings, "UNSILO_DEMO_FOLLOWUP", None)
    if value is None:
        value = os.environ.get("UNSILO_DEMO_FOLLOWUP", DEFAULT_CHANCE)
    return float(value)


class DemoConnector(Connector):
    """Stands in for every network in `unsilo demo` (UNSILO_DEMO_DELIVERY): not a plug-in."""

    name = "demo"
    label = "Demo network"
    can_fetch = False

    def __init__(self, seed: int | None = None):
        env_seed = os.environ.get("UNSILO_DEMO_SEED")
        self.rng = random.Random(seed if seed is not None else
                                 int(env_seed) if env_seed else None)
        self.lock = threading.Lock()  # one RNG shared by the worker's threads

    def verify(self, session: Session) -> AccountInfo:
        return AccountInfo(external_id=session.handle, handle=session.handle)

    def deliver(self, session: Session, reply: Outbound) -> DeliveryResult:
        # As the real network would answer (the queue refuses an over-long text before).
        too_long = limits.problem(reply.network, reply.text, reply.kind)
        if too_long:
            raise PermanentError(f"400: {too_long}")
        if reply.network in REFUSES_DUPLICATES and _posted_before(reply):
            raise PermanentError(DUPLICATE)
        external_id = f"demo-out-{uuid.uuid4()}"
        with self.lock:
            answers = self.rng.random() < follow_up_chance()
            happy = self.rng.random() < 0.6
            pick = self.rng.random()
        if answers:
            happy_texts, unhappy_texts = FOLLOW_UPS.get(reply.language, FOLLOW_UPS["en"])
            texts = happy_texts if happy else unhappy_texts
            self._follow_up(reply, external_id, texts[int(pick * len(texts))])
        return DeliveryResult(external_id=external_id)

    def _follow_up(self, reply: Outbound, external_id: str, text: str) -> None:
        from unsilo.demo.tasks import demo_follow_up

        item = {
            "id": f"demo-in-{uuid.uuid4()}", "network": reply.network, "text": text,
            "author": reply.customer, "created_at": timezone.now().isoformat(),
            "account": reply.account_handle, "thread_id": reply.thread_id,
            "in_reply_to": external_id, "lang": reply.language,
        }
        task = demo_follow_up
        if task.get_backend().supports_defer:
            task = task.using(run_after=timezone.now() + FOLLOW_UP_AFTER)
        task.enqueue(item)


def _posted_before(reply: Outbound) -> bool:
    return (Delivery.objects.filter(network=reply.network, state=DeliveryState.SENT,
                                    account__handle=reply.account_handle, text=reply.text)
            .exclude(pk=reply.delivery_id).exists())


DEMO = DemoConnector()
