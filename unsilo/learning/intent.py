"""Intent: a fixed taxonomy scored from multilingual keywords, risk flags and sentiment.

Routing does not depend on intent; it is a filter and a label in the inbox. Each intent has
weighted words and phrases (en/de/fr/es/pt/it/nl); the best score wins, ties by PRIORITY.
"""

import re

from unsilo.learning.text import TOKEN, Tokens

INTENTS = ("billing", "delivery", "returns", "technical", "account", "complaint", "praise",
           "question", "job", "press", "legal", "product_idea", "sales_lead", "privacy",
           "safety", "spam", "other")
# Ties go to the earlier intent: risks first, then the specific before the generic.
PRIORITY = ("safety", "legal", "privacy", "press", "spam", "job", "sales_lead",
            "product_idea", "billing", "returns", "delivery", "account", "technical",
            "complaint", "praise", "question", "other")
_RANK = {name: i for i, name in enumerate(PRIORITY)}

_KEYWORDS: dict[str, str] = {
    "billing": "bill:2 bills:2 billed:2 billing:2 invoice:2 charged:2 charge:1.5 charges:1.5 "
    "overcharged:2.5 fee:1.5 fees:1.5 payment:1.5 payments:1.5 paid:1 pay:1 price:1 "
    "prices:1 subscription:1.5 autopay:2 overdraft:2 credit_card:1.5 card_declined:2 "
    "double_charged:2.5 charged_twice:2.5 transaction:1.5 refund:1 interest:1 statement:1 "
    "direct_deposit:1.5 transfer:1 transfers:1 wire:1 rechnung:2 abgebucht:2 zahlung:1.5 "
    "gebühr:1.5 facture:2 prélèvement:2 paiement:1.5 frais:1.5 factura:2 cobro:2 "
    "cobrado:2 pago:1.5 fatura:2 cobrança:2 cobraram:2 pagamento:1.5 fattura:2 "
    "addebito:2 pagamento_doppio:2 factuur:2 afschrijving:2 betaling:1.5",
    "delivery": "delivery:2 delivered:2 deliver:1.5 package:2 parcel:2 parcels:2 packages:2 "
    "shipping:2 shipped:1.5 ship:1 shipment:2 tracking:2 courier:2 driver:1.5 arrived:1.5 "
    "arrive:1.5 arrival:1 order:1 transit:1.5 out_for_delivery:2 redelivery:2 doorstep:1.5 "
    "mailbox:1 depot:1.5 pickup:1 customs:1.5 flight:1 bag:1 bags:1 baggage:1.5 luggage:1.5 "
    "suitcase:1.5 lieferung:2 geliefert:2 paket:2 sendung:2 bestellung:1 angekommen:1.5 "
    "livraison:2 livré:2 colis:2 commande:1 reçu:1 envío:2 entrega:2 paquete:2 pedido:1 "
    "llegado:1.5 encomenda:2 entregue:2 pacote:2 chegou:1.5 consegna:2 pacco:2 "
    "spedizione:2 consegnato:2 ordine:1 pakket:2 bezorgd:2 levering:2 bestelling:1 "
    "荷物:2 配達:2 届:1.5 配送:2 llegó:1.5 kam:1 arrivé:1.5 arrivato:1.5 entregado:2 "
    "recibí:1 dented:1 dent:1",
    "returns": "return:2 returned:2 returns:2 returning:2 exchange:2 send_back:2 "
    "return_label:2.5 replacement:1.5 refund:1.5 rücksendung:2 umtausch:2 zurückschicken:2 "
    "retour:2 échange:2 remboursement:1.5 devolución:2 devolver:2 cambio:1 reembolso:1.5 "
    "devolução:2 devolver_o:2 reembolso_de:1.5 reso:2 rimborso:1.5 restituire:2 "
    "retourneren:2 terugbetaling:1.5 devolví:2 devolvi:2 zurückgeschickt:2 retourné:2 "
    "restituito:2 geretourneerd:2 send_it_back:2",
    "technical": "app:1.5 crash:2 crashes:2 crashed:2 error:2 bug:2 glitch:2 website:1.5 "
    "site:1 login:1 loading:1.5 not_working:2 doesn't_work:2 broken_link:2 wifi:2 "
    "internet:2 outage:2 router:2 modem:2 signal:2 network:1.5 connection:1.5 speed:1 "
    "mbps:2 5g:1.5 update:1 android:1.5 iphone:1 ios:1.5 browser:1.5 screen:1 "
    "freezes:2 frozen:1 slow:1 down:1 offline:1.5 reboot:1.5 restart:1.5 esim:1.5 sim:1.5 "
    "störung:2 funktioniert_nicht:2 fehler:2 panne:2 ne_fonctionne:2 bug_app:2 "
    "no_funciona:2 falla:2 error_en:2 não_funciona:2 falha:2 non_funziona:2 guasto:2 "
    "werkt_niet:2 storing:2 técnico:1.5 technicien:1.5 techniker:1.5 tecnico:1.5 "
    "monteur:1.5 parou_de_funcionar:2 dejó_de_funcionar:2 ne_fonctionne:2 doet_het_niet:2 "
    "fehlercode:2 error_code:2 code_d'erreur:2 noise:1 ruido:1 geräusch:1 bruit:1 rumore:1 "
    "leaking:1.5 keeps_restarting:2 won't_turn_on:2 stopped_working:2 エラー:2",
    "account": "account:1.5 password:2 locked_out:2.5 log_in:1.5 sign_in:1.5 username:2 "
    "profile:1.5 verification:1.5 verify:1.5 two_factor:2 2fa:2 reset_link:2 "
    "close_my_account:2 my_account:1 konto:1.5 passwort:2 compte:1.5 mot_de_passe:2 "
    "cuenta:1.5 contraseña:2 conta:1.5 senha:2 conto:1 password_dimenticata:2 "
    "wachtwoord:2",
    "complaint": "complaint:2 complain:2 rude:2 unacceptable:2 terrible:1.5 worst:1.5 "
    "awful:1.5 disappointed:1.5 ridiculous:1.5 useless:1.5 customer_service:1.5 "
    "never_again:2 manager:1 unprofessional:2 beschwerde:2 réclamation:2 reclamación:2 "
    "queja:2 reclamação:2 reclamo:2 klacht:2",
    "praise": "thanks:1.5 thank_you:2 thank:1 love:1.5 great:1 amazing:1.5 awesome:1.5 "
    "shoutout:2.5 shout_out:2.5 kudos:2.5 appreciate:1.5 excellent:1.5 best:1 props:2 "
    "well_done:2 fantastic:1.5 brilliant:1.5 impressed:1.5 danke:1.5 merci:1.5 gracias:1.5 "
    "obrigado:1.5 obrigada:1.5 grazie:1.5 bedankt:1.5 super:1 me_encanta:2 j'adore:2 "
    "adoro:2 begeistert:2 bravo:1.5 love_my:2 recommend:1.5",
    "press": "podcast:2.5 magazine:2 journalist:3 reporter:3 article:1.5 interview_request:2.5 "
    "media:1 newspaper:2 documentary:2 blogger:1.5 ceo:1.5 statement:1.5 quote_from:2",
    "job": "job:2.5 jobs:2.5 hiring:2.5 career:2 careers:2.5 internship:2.5 intern:2 "
    "apply:1.5 applied:1.5 application:1 resume:2 cv:2 position:1.5 vacancy:2.5 "
    "vacancies:2.5 work_for_you:3 work_for:1 interview:2 recruiter:2.5 stelle:2 "
    "bewerbung:2.5 beworben:2.5 ausbildung:2 emploi:2.5 candidature:2.5 stage:1.5 "
    "poste:1.5 empleo:2.5 trabajo:2 vacante:2.5 vaga:2 emprego:2.5 currículo:2 lavoro:2 "
    "candidatura:2.5 vacature:2.5 sollicitatie:2.5 solliciteren:2.5 role:1.5 roles:2 "
    "remote_work:2 opening:1.5 openings:2 graduate_program:2.5 software_engineer:1.5",
    "product_idea": "feature_request:3 suggestion:2.5 suggest:2 idea:2 wish_you:2 "
    "would_be_great_if:3 would_be_nice:2.5 would_be_cool:2.5 please_add:2.5 "
    "you_should_add:3 should_add:2.5 could_you_add:2.5 dark_mode:1.5 feature:1.5 "
    "option_to:1.5 vorschlag:2.5 idee:2 wäre_schön:2.5 idée:2 serait_bien:2.5 "
    "sugerencia:2.5 idea_para:2 sería_genial:2.5 sugestão:2.5 seria_ótimo:2.5 would_love:1.5 "
    "it_would_be:1.5 please_make:2 bring_back:2 wish:1.5 any_plans:2 support_for:1.5 "
    "integration:1.5 compatible_with:1 "
    "suggerimento:2.5 sarebbe_bello:2.5 suggestie:2.5 idee_voor:2",
    "sales_lead": "pricing:2 quote:2.5 bulk:2 wholesale:2.5 enterprise:2 partnership:2.5 "
    "partner:1.5 demo:2 for_my_company:2.5 for_our_company:2.5 for_our_team:2 "
    "business_account:2 corporate:2 reseller:2.5 distributor:2.5 procurement:2.5 "
    "licenses:2 licences:2 seats:1.5 rfp:3 volume_discount:2.5 angebot:2 großkunde:2.5 "
    "devis:2.5 partenariat:2.5 cotización:2.5 mayorista:2.5 orçamento:2.5 atacado:2.5 "
    "preventivo:2.5 ingrosso:2.5 offerte:2.5 groothandel:2.5 retailer:2 store_owner:2 "
    "b2b:2.5 units:1.5 fleet:1.5 carry:1 stock_your:2 specs_and_pricing:2.5",
    "spam": "follow_back:3 followers:2 crypto:2.5 bitcoin:2.5 btc:2 nft:2.5 giveaway:2 "
    "click_here:2.5 promo_code:2 onlyfans:3 forex:3 casino:3 investment_opportunity:3 "
    "earn_money:3 make_money:3 dm_me:2 dm_for:2.5 check_out_my:2.5 free_followers:3 "
    "work_from_home:1.5 100%_free:3 whatsapp_me:2.5 telegram:1.5 airdrop:3 loan_offer:3",
}
_RISK_INTENT = {"legal": "legal", "safety": "safety", "press": "press", "privacy": "privacy",
                "self_harm": "safety"}
_QUESTION_START = re.compile(
    r"^\s*(?:(?:hi|hello|hey|hiya|yo|bonjour|hola|hallo|ciao|olá|oi|dear|good morning)\b"
    r"(?:\s+(?:there|team|all|guys|folks|meridian(?: team)?))?[\s,!.\-–]*)?"
    r"(?:how|what|when|where|which|who|why|is|are|do|does|did|can|could|will|would|should|"
    r"any|wie|was|wann|wo|gibt|kann|habt|comment|quand|où|est-ce|combien|cómo|cuándo|"
    r"dónde|hay|tienen|puedo|quando|onde|como|posso|vocês|hoe|wanneer|waar|kan|mag)\b",
    re.IGNORECASE)


def _build():
    table: dict[str, list[tuple[str, float]]] = {}
    for intent, spec in _KEYWORDS.items():
        for item in spec.split():
            phrase, _, weight = item.rpartition(":")
            key = " ".join(TOKEN.findall(phrase.replace("_", " ")))
            table.setdefault(key, []).append((intent, float(weight)))
    return table


_TABLE = _build()
_FIRST: dict[str, int] = {}  # first word -> longest key starting with it
for _key in _TABLE:
    _head = _key.split(" ")[0]
    _FIRST[_head] = max(_FIRST.get(_head, 0), _key.count(" ") + 1)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_CJK_KEYS = [k for k in _TABLE if _CJK.match(k)]


def scores(text: str, tk: Tokens | None = None) -> dict[str, float]:
    """Keyword scores per intent for one text (lowercased word n-grams up to 4)."""
    out: dict[str, float] = {}
    tk = tk or Tokens(text)
    low = tk.low
    n = len(low)
    for i, word in enumerate(low):
        longest = _FIRST.get(word)
        if not longest:
            continue
        for size in range(1, min(longest, n - i) + 1):
            key = word if size == 1 else " ".join(low[i:i + size])
            hits = _TABLE.get(key)
            if hits:
                for intent, weight in hits:
                    out[intent] = out.get(intent, 0.0) + weight
    if _CJK_KEYS and not tk.text.isascii() and _CJK.search(tk.text):
        for key in _CJK_KEYS:
            if key in text:
                for intent, weight in _TABLE[key]:
                    out[intent] = out.get(intent, 0.0) + weight
    return out


def is_question(text: str) -> bool:
    text = text or ""
    return "?" in text or "¿" in text or "？" in text or bool(_QUESTION_START.match(text))


def pick(text: str, sentiment: str, risk: dict[str, list[str]], tk: Tokens | None = None) -> str:
    """The intent of one message, given its sentiment and risk flags."""
    s = scores(text, tk)
    for flag in risk:
        name = _RISK_INTENT[flag]
        s[name] = s.get(name, 0.0) + 4.0
    praise = s.pop("praise", 0.0)
    if sentiment == "positive" and praise:
        s["praise"] = praise + 1.5  # thanks for a fixed problem is praise, not billing
    complaint = s.pop("complaint", 0.0)
    if sentiment == "negative":
        s["complaint"] = complaint + 1.0
    elif complaint:
        s["complaint"] = complaint
    if is_question(text) and sentiment != "negative":
        s["question"] = 1.2  # a topic word (>= 1.5) says more than the question mark
    if not s:
        return "other"
    best = max(s.items(), key=lambda kv: (kv[1], -_RANK[kv[0]]))
    return best[0] if best[1] >= 1.0 else "other"
