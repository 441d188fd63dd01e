"""The customer-care sentiment lexicon layered on VADER: what customers write when a service
fails them (often with no "negative" word), thanks and praise, in en/de/fr/es/pt/it/nl and a
few words of ja/ko/ru/zh. Valences are on VADER's -4..+4 scale; a phrase replaces the VADER
valences of the words it covers."""

# Phrases of 1-4 words, matched on lowercased word tokens (apostrophes kept: "can't").
PHRASES: dict[str, float] = {
    # -- waiting, delays, things that did not happen -----------------------------------------
    "delayed": -1.6, "delay": -1.4, "delays": -1.4, "late": -1.2, "later": 0.0, "cancelled": -1.6,
    "canceled": -1.6, "cancelled my": -1.8, "still waiting": -2.4, "still no": -2.2,
    "still not": -2.0, "still nothing": -2.4, "still": -0.7, "waiting": -0.9, "waited": -1.2,
    "waiting for": -1.0, "wait": -0.6, "on hold": -1.5, "hold": -0.4, "in line": -0.6,
    "in the queue": -0.8, "no response": -2.0, "no reply": -2.0, "no replies": -2.0,
    "no answer": -2.0, "no answers": -2.0, "zero replies": -2.4, "no update": -1.8,
    "no updates": -1.8, "no information": -1.8, "no info": -1.8, "no explanation": -2.0,
    "no idea": -1.2, "no one": -1.6, "nobody": -1.6, "no call": -1.5, "no warning": -1.6,
    "no notice": -1.6, "no signal": -1.8, "no service": -1.8, "no internet": -1.8,
    "no water": -1.4, "never received": -2.2, "never arrived": -2.2, "never came": -2.0,
    "never showed": -2.0, "never showed up": -2.2, "never arrives": -2.0, "never updates": -1.8,
    "hasn't arrived": -2.0, "has not arrived": -2.0, "not arrived": -2.0, "didn't arrive": -2.0,
    "didn't show": -2.0, "didn't work": -2.0, "doesn't work": -2.0, "don't work": -1.8,
    "not working": -2.0, "won't let me": -1.8, "won't": -0.8, "can't": -0.9, "cannot": -0.9,
    "couldn't": -0.8, "can't even": -1.6, "doesn't": -0.5, "didn't": -0.5, "isn't": -0.4,
    "never": -0.8, "not here": -1.6, "not even": -1.0, "lost": -1.8, "lose": -1.2, "losing": -1.4,
    "missing": -1.6, "broken": -1.8, "broke": -1.4, "damaged": -1.8, "crushed": -1.8,
    "ripped": -1.6, "cracked": -1.4, "shattered": -2.0, "soaked": -1.4, "ruined": -2.2,
    "melted": -1.4, "moldy": -2.0, "expired": -1.2, "wrong": -1.6, "wrong item": -2.0,
    "mistake": -1.2, "error": -1.2, "stuck": -1.6, "stranded": -2.0, "bumped": -1.2,
    "overbooked": -1.6, "missed": -1.2, "refund": -0.7, "refunds": -0.6, "no refund": -2.2,
    "compensation": -0.8, "charged twice": -2.4, "double charged": -2.4, "overcharged": -2.2,
    "charged me": -1.2, "charging me": -1.3, "charged": -0.7, "fee": -0.8, "fees": -0.9,
    "billing me": -1.3, "still billing": -2.2, "dispute": -0.9, "denied": -1.4, "declined": -1.2,
    "blocked": -1.2, "frozen": -1.2, "locked out": -1.8, "locked": -0.8, "hung up": -2.0,
    "hangs up": -2.0, "disconnected": -1.4, "transfers me": -1.4, "drops": -1.0, "dropped": -1.2,
    "outage": -1.4, "down": -0.6, "crashes": -1.8, "crashed": -1.8, "logging me out": -1.6,
    "under maintenance": -1.0, "throttled": -1.6, "again": -1.0, "again?": -1.2, "another": -0.4,
    "every time": -1.2, "everytime": -1.2, "3rd time": -1.8, "third time": -1.8, "2nd time": -1.5,
    "second time": -1.4, "all day": -0.8, "why": -0.9, "why is": -1.2, "why does": -1.2,
    "why do": -1.0, "why are": -1.2, "seriously": -1.2, "really?": -1.0, "unbelievable": -2.0,
    "ridiculous": -2.2, "unacceptable": -2.6, "disappointed": -2.2, "disappointing": -2.2,
    "joke": -1.4, "customer service": -0.5, "customer since": -1.0, "loyal customer": -1.0,
    "useless": -2.2, "garbage": -2.4, "trash": -2.2, "rude": -2.2, "condescending": -2.0,
    "yelling": -1.8, "shrugged": -1.4, "never again": -2.6, "last time": -1.2, "i'm done": -2.0,
    "done with": -1.8, "switching": -1.0, "switch to": -0.6, "losing my mind": -2.4, "smh": -1.6,
    "wtf": -2.4, "hello??": -1.4, "anyone??": -1.4, "anyone?": -0.8, "where is my": -1.6,
    "where's my": -1.6, "explain why": -1.4, "not impressed": -2.2, "not good": -2.0,
    "not ok": -2.0, "not okay": -2.0, "not acceptable": -2.4, "not happy": -2.2, "unhappy": -2.0,
    "frustrated": -2.2, "frustrating": -2.2, "annoying": -1.8, "terrible": -2.6, "horrible": -2.6,
    "awful": -2.6, "worst": -2.8, "worse": -1.8, "pathetic": -2.6, "a week": -0.8, "hours": -0.6,
    "days": -0.6, "weeks": -0.8, "months": -0.6, "minutes": -0.3, "paying for": -0.6,
    "nothing": -0.6, "anything": -0.2, "at least": -0.6, "in transit": -0.6,
    "out for delivery": -0.4, "supposed to": -1.2, "was told": -1.2, "promised": -1.2,
    "sold out": -0.3, "spam": -1.0, "not available": -1.0, "no way": -1.2,
    # sarcasm: thanks/praise wrapped around a failure
    "thanks for nothing": -3.2, "great job losing": -3.0, "thanks a lot": -0.5, "oh great": -1.6,
    "just great": -1.6, "love waiting": -2.4, "exactly what i needed": -0.5, "what a joke": -2.6,
    "good job": 1.0, "great job": 1.2, "nice job": 1.2,
    # -- positive ----------------------------------------------------------------------------
    "thank you": 2.2, "thanks": 1.9, "thank": 1.6, "thanks so much": 2.8, "thx": 1.8, "ty": 1.6,
    "tysm": 2.6, "much appreciated": 2.6, "appreciate": 2.0, "appreciated": 2.0,
    "great service": 3.0, "great communication": 2.8, "shoutout": 2.2, "shout out": 2.2,
    "props": 2.0, "kudos": 2.4, "well done": 2.4, "keep it up": 2.4, "all sorted": 2.0,
    "sorted": 0.8, "fixed": 1.0, "finally fixed": 1.8, "resolved": 1.2, "solved": 1.4,
    "worked perfectly": 2.8, "on time": 1.6, "early": 0.8, "a day early": 2.2, "so fast": 1.8,
    "fast delivery": 2.2, "quick": 1.2, "so quick": 1.8, "quickly": 1.0, "legend": 2.2,
    "above and beyond": 2.8, "went above": 2.4, "made my day": 3.0, "made my year": 3.0,
    "you rock": 2.8, "killing it": 2.4, "impressed": 2.4, "flawless": 2.6, "smooth": 1.6,
    "smoothest": 2.4, "heads up": 0.8, "no issues": 2.0, "no questions asked": 1.6,
    "no complaints": 2.4, "so helpful": 2.4, "really helpful": 2.4, "super helpful": 2.6,
    "restored": 1.0, "saved": 1.2, "a pleasure": 2.4,
    # -- neutral function words that VADER over-reads in this domain ---------------------------
    "please": 0.0, "help": 0.0, "ok": 0.0, "okay": 0.0, "like": 0.0, "free": 0.0, "sure": 0.0,
    "want": 0.0, "care": 0.0, "fraud": -0.4, "fraudulent": -0.8, "no": -0.3, "pending": -0.5,
    "check": 0.0, "matter": 0.0, "important": 0.0,
    # -- German ------------------------------------------------------------------------------
    "danke": 2.0, "vielen dank": 2.6, "super": 2.0, "toll": 2.2, "perfekt": 2.4, "schnell": 1.0,
    "hilfe": 0.0, "schlecht": -2.2, "katastrophe": -2.8, "warte": -1.4, "warten": -1.2,
    "verspätet": -1.8, "verspätung": -1.6, "gestrichen": -1.6, "storniert": -1.4, "kaputt": -2.0,
    "nicht angekommen": -2.2, "keine antwort": -2.2, "niemand": -1.4, "keiner": -1.4,
    "zweimal": -1.2, "nichts": -0.8, "unverschämt": -2.6, "ärgerlich": -2.2,
    # -- French ------------------------------------------------------------------------------
    "merci": 2.0, "merci beaucoup": 2.6, "génial": 2.4, "parfait": 2.4, "excellent": 2.6,
    "nul": -2.4, "nulle": -2.4, "attends": -1.4, "attend": -1.2, "attente": -1.0, "annulé": -1.6,
    "retard": -1.6, "cassé": -2.0, "cassée": -2.0, "pas arrivé": -2.2, "pas remboursé": -2.4,
    "ne répond": -2.0, "aucune": -1.2, "aucun": -1.2, "personne ne": -1.8, "n'importe quoi": -2.6,
    "inadmissible": -2.6, "toujours pas": -2.2,
    # -- Spanish -----------------------------------------------------------------------------
    "gracias": 2.0, "muchas gracias": 2.6, "perfecto": 2.4, "excelente": 2.6, "genial": 2.2,
    "esperando": -1.4, "retraso": -1.6, "cancelado": -1.6, "roto": -2.0, "rota": -2.0,
    "nadie": -1.6, "increíble": 0.0, "es increíble": -1.4, "pésimo": -2.6, "fatal": -2.4,
    "no ha llegado": -2.2, "todavía": -0.8, "ninguna": -1.0, "ningún": -1.0,
    # -- Portuguese --------------------------------------------------------------------------
    "obrigado": 2.0, "obrigada": 2.0, "ótimo": 2.4, "péssimo": -2.6, "atrasado": -1.8,
    "atrasada": -1.8, "atraso": -1.6, "quebrado": -2.0, "ninguém": -1.6, "não chegou": -2.2,
    "nenhuma": -1.0, "nenhum": -1.0, "ainda": -0.6,
    # -- Italian -----------------------------------------------------------------------------
    "grazie": 2.0, "grazie mille": 2.6, "ottimo": 2.4, "perfetto": 2.4, "pessimo": -2.6,
    "cancellato": -1.6, "ritardo": -1.6, "rotto": -2.0, "non funziona": -2.2, "nessuna": -1.2,
    "nessun": -1.2, "nessuno": -1.4, "ancora": -0.6,
    # -- Dutch -------------------------------------------------------------------------------
    "bedankt": 2.0, "dank je": 2.0, "dankjewel": 2.0, "top": 1.4, "slecht": -2.2, "kapot": -2.0,
    "vertraging": -1.6, "niet bezorgd": -2.2, "nog steeds": -1.6, "niemand die": -1.8,
    "werkt niet": -2.2, "werkt weer niet": -2.4, "derde keer": -1.8,
}

# Scripts without spaces: substrings of ja/ko/zh/ru text and their valence.
SUBSTRINGS: dict[str, float] = {
    "ありがとう": 2.4, "感謝": 2.2, "最高": 2.6, "届いていません": -2.2,
    "届きません": -2.2, "遅延": -1.6, "最悪": -2.8, "ひどい": -2.4,
    "감사": 2.2, "고마워": 2.2, "최고": 2.4, "끊겼": -2.0,
    "안 돼": -1.8, "최악": -2.8, "谢谢": 2.2, "太好了": 2.4,
    "没有收到": -2.2, "太差": -2.6, "спасибо": 2.2, "отлично": 2.4,
    "задерж": -1.6, "не работает": -2.2, "не пришёл": -2.0, "никакой": -1.2,
    "ужасн": -2.6,
}

# -- more de/fr/es/pt/it/nl/ja: disappointment, breakage, delight -----------------------------
_MORE = """
enttäuscht:-2.2 sehr_enttäuscht:-2.6 genervt:-2.0 unfassbar:-2.0 schlechteste:-2.8
schlechter:-1.8 frechheit:-2.6 beschädigt:-2.0 defekt:-1.8 funktioniert_nicht:-2.2
geht_nicht:-1.6 zerdrückt:-1.8 nie_wieder:-2.6 so_nicht:-1.4 sauer:-1.8 keine_reaktion:-2.0
immer_noch:-1.4 schon_wieder:-1.6 verloren:-1.8 fehlt:-1.4 falsch:-1.4 wütend:-2.6
peinlich:-2.0 lächerlich:-2.2 inakzeptabel:-2.6 begeistert:2.6 einfach_toll:2.8
zufrieden:2.0 sehr_zufrieden:2.6 klasse:2.2 spitze:2.4 großartig:2.6 hervorragend:2.6
déçu:-2.2 déçue:-2.2 très_déçu:-2.6 inacceptable:-2.6 honteux:-2.4 scandaleux:-2.6
énervé:-2.0 marre:-2.2 ne_marche_pas:-2.2 ne_fonctionne_pas:-2.2 ne_fonctionne_plus:-2.2
endommagé:-2.0 abîmé:-1.8 perdu:-1.6 toujours_rien:-2.2 jamais_reçu:-2.2 pire:-2.4
lamentable:-2.6 j'adore:2.8 adore:2.4 bravo:2.2 très_content:2.6 contente:2.0 content:1.6
satisfait:2.0 ravi:2.4 ravie:2.4 au_top:2.4 formidable:2.4
inaceptable:-2.6 vergonzoso:-2.4 vergüenza:-2.2 decepcionado:-2.2 decepcionada:-2.2
harto:-2.2 harta:-2.2 y_nada:-1.8 no_funciona:-2.2 dejó_de_funcionar:-2.2 dañado:-2.0
dañada:-2.0 perdido:-1.6 peor:-2.4 nunca_llegó:-2.2 sin_respuesta:-2.0 molesto:-2.0
enfadado:-2.2 qué_mal:-2.0 me_encanta:2.8 encanta:2.4 encantado:2.4 encantada:2.4
muy_contento:2.6 contento:1.8 contenta:1.8 feliz:2.2 maravilloso:2.6
desiludido:-2.2 desiludida:-2.2 inaceitável:-2.6 vergonhoso:-2.4 parou_de_funcionar:-2.2
não_funciona:-2.2 danificado:-2.0 danificada:-2.0 pior:-2.4 resolvam_isto:-1.6 farto:-2.0
farta:-2.0 chateado:-2.0 nunca_chegou:-2.2 absurdo:-2.2 adoro:2.4 amei:2.6 adorei:2.6
muito_contente:2.6 satisfeito:2.0 maravilhoso:2.6 perfeito:2.4 incrível:2.0
deluso:-2.2 delusa:-2.2 inaccettabile:-2.6 vergognoso:-2.4 vergogna:-2.2
non_funziona_più:-2.4 ha_smesso_di_funzionare:-2.2 peggiore:-2.4 stufo:-2.2 arrabbiato:-2.4
ancora_niente:-2.2 mai_arrivato:-2.2 bravissimi:2.6 bravi:2.2 fantastico:2.6
soddisfatto:2.0 mi_piace:2.0
teleurgesteld:-2.2 doet_het_niet:-2.2 doet_het_niet_meer:-2.4 beschadigd:-2.0
onacceptabel:-2.6 schandalig:-2.6 slechtste:-2.8 boos:-2.2 nooit_ontvangen:-2.2
nog_steeds_niets:-2.4 blij:2.0 tevreden:2.0 super_blij:2.6 geweldig:2.6 fantastisch:2.6
fijn:1.6 heel_fijn:2.2
"""
PHRASES.update({k.replace("_", " "): float(v) for k, v in
                (item.split(":") for item in _MORE.split())})
SUBSTRINGS.update({"がっかり": -2.2, "壊れ": -2.0, "動かない": -2.0, "素晴らしい": 2.6,
                   "嬉しい": 2.2, "満足": 2.0, "残念": -2.0, "困って": -1.8})

# Polite closers of a request are not praise.
PHRASES.update({
    "thanks in advance": 0.3, "thank you in advance": 0.3, "thx in advance": 0.3,
    "any help appreciated": 0.2, "any help would be appreciated": 0.2, "appreciate any help": 0.2,
    "would appreciate": 0.2, "i'd appreciate": 0.2, "grateful if": 0.2, "appreciate it": 0.6,
    "help would be great": 0.2, "hoping you can": 0.0, "hope you can": 0.0, "danke im voraus": 0.3,
    "merci d'avance": 0.3, "gracias de antemano": 0.3, "obrigado desde já": 0.3,
    "grazie in anticipo": 0.3, "alvast bedankt": 0.3,
})

# Negated praise idioms (VADER reads the negation), and laughter that is usually bitter here.
PHRASES.update({
    "can't thank you enough": 3.0, "cannot thank you enough": 3.0,
    "couldn't have done it without": 2.6, "couldn't be happier": 3.0, "could not be happier": 3.0,
    "can't recommend enough": 3.0, "can't stop smiling": 2.8, "can't wait": 1.4,
    "no problem": 0.4, "no worries": 0.6, "lmao": 0.0,
})

# Negators of other languages (VADER's own list is English).
NEGATORS = frozenset(str.split(
    "nicht kein keine nie niemals pas jamais nunca não nao non niet geen nooit mai"))

# Emoji whose VADER description reads wrong in customer care.
EMOJI: dict[str, float] = {
    "🙏": 1.8, "❤": 2.6, "💕": 2.6, "💖": 2.6, "😍": 2.8, "🥰": 2.8,
    "👍": 1.6, "👏": 2.2, "🙌": 2.2, "👌": 1.6, "🎉": 2.2, "💯": 1.8,
    "😊": 2.0, "🙂": 1.0, "😀": 1.8, "😁": 1.8, "🌱": 0.6, "📈": 0.4,
    "✨": 1.2, "⭐": 1.4, "🔥": 1.2, "😂": 0.0, "🤣": 0.0, "🙄": -1.8,
    "😡": -2.8, "😠": -2.6, "🤬": -3.2, "😤": -2.2, "🙃": -1.4, "😒": -1.8,
    "😞": -2.0, "😢": -1.8, "😭": -1.6, "🤦": -1.8, "👎": -2.2, "💩": -2.2,
    "😩": -2.0, "😫": -2.0, "🤡": -2.0, "😑": -1.2, "😐": -0.6, "🤔": -0.4,
}

# Sarcasm-prone praise words: turned negative when the message is clearly a complaint.
SARCASM_PRONE = frozenset(str.split(
    "great love loving wonderful thanks thank cool nice fantastic awesome perfect brilliant "
    "amazing wow lovely fun good best excellent superb achievement"
))

# Question openers that make a message informational unless it carries strong complaint cues.
QUESTION_OPENERS = frozenset(str.split(
    "how what what's whats when where which who is are do does did can could will would "
    "should may any anyone's hi hello hey hii hiii wie was wann wo gibt habt kann kann "
    "comment quand où est-ce combien cómo cuándo dónde tienen hay hacen puedo qué como "
    "quando onde vocês quanto posso hoe wanneer waar mag kan"
))
