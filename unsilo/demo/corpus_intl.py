"""Other languages for the demo corpus: regional topics (EMEA care and marketing, APAC) and the
pieces messages are built from. Each topic belongs to the regional silo that answers it."""

# Share of messages per language (the rest is English).
LANG_WEIGHT = {"de": 6, "fr": 5, "es": 5, "pt": 1.5, "it": 1.5, "nl": 1.5, "ja": 1.5}

# (lang, kind, topic, silo, preferred titles, phrases)
_CARE = "EMEA Customer Care"
_MKT = "EMEA Marketing"
TOPICS = [
    ("de", "support", "reparatur", _CARE, ["Senior Care Agent", "Care Agent"], [
        "mein {product} geht nach {days} Tagen nicht mehr an",
        "der {product} zeigt Fehlercode {code}, was bedeutet das?",
        "mein {product} macht seit gestern ein lautes Geräusch",
        "brauche einen Techniker für meinen {product}",
        "der {product} verliert Wasser, was soll ich tun",
    ]),
    ("de", "returns", "rücksendung", _CARE, ["Care Agent", "Care Team Lead"], [
        "wie kann ich den {product} zurückschicken?",
        "das Rücksendeetikett für {order} funktioniert nicht",
        "habe den {product} vor {days} Tagen zurückgeschickt, keine Rückmeldung",
        "kann ich den {product} gegen ein anderes Modell umtauschen?",
    ]),
    ("de", "delivery", "lieferung", _CARE, ["Care Agent", "Senior Care Agent"], [
        "wo bleibt meine Bestellung {order}? schon {days} Tage",
        "{carrier} sagt zugestellt, aber hier ist nichts angekommen",
        "der {product} kam beschädigt an, Karton völlig zerdrückt",
        "die Sendungsverfolgung für {order} ändert sich seit Tagen nicht",
    ]),
    ("de", "billing", "erstattung", _CARE, ["Escalations Specialist", "Care Agent"], [
        "ich warte immer noch auf meine Erstattung von {amount}",
        "mir wurde die Bestellung {order} doppelt abgebucht",
        "ich brauche eine Rechnung mit MwSt. für {order}",
    ]),
    ("de", "complaint", "beschwerde", _CARE, ["Escalations Specialist", "Care Team Lead"], [
        "das ist jetzt schon das dritte Mal, dass ich mich melde",
        "seit {days} Tagen antwortet niemand auf meine E-Mails",
        "der schlechteste Kundenservice, den ich je erlebt habe",
    ]),
    ("de", "praise", "lob", _MKT, ["Social Media Executive", "Content Lead"], [
        "der {product} ist einfach großartig",
        "bin total begeistert von meinem neuen {product}",
        "danke an das Team, super schnelle Hilfe mit meinem {product}",
    ]),
    ("fr", "support", "réparation", _CARE, ["Care Agent", "Senior Care Agent"], [
        "mon {product} ne s'allume plus après {days} jours",
        "le {product} affiche le code erreur {code}, que faire ?",
        "mon {product} fait un bruit bizarre depuis hier",
        "j'ai besoin d'un technicien pour mon {product}",
    ]),
    ("fr", "returns", "retour", _CARE, ["Care Team Lead", "Care Agent"], [
        "comment retourner le {product} ?",
        "l'étiquette de retour pour {order} ne fonctionne pas",
        "j'ai renvoyé le {product} il y a {days} jours, toujours rien",
    ]),
    ("fr", "delivery", "livraison", _CARE, ["Senior Care Agent", "Care Agent"], [
        "où est ma commande {order} ? ça fait {days} jours",
        "le livreur {carrier} a laissé mon {product} dehors sous la pluie",
        "mon {product} est arrivé cassé",
    ]),
    ("fr", "billing", "remboursement", _CARE, ["Escalations Specialist", "Care Agent"], [
        "j'attends toujours mon remboursement de {amount}",
        "j'ai été débité deux fois pour la commande {order}",
        "il me faut une facture pour {order}",
    ]),
    ("fr", "praise", "éloges", _MKT, ["Content Lead", "Social Media Executive"], [
        "j'adore mon nouveau {product}",
        "le {product} est vraiment génial, merci",
        "service client au top, merci pour votre aide",
    ]),
    ("fr", "promotion", "promotions", _MKT, ["Marketing Manager", "Content Lead"], [
        "le code promo ne marche pas sur le {product}",
        "comment participer au concours {product} ?",
        "le {product} sera-t-il en promo pour les soldes ?",
    ]),
    ("es", "support", "reparaciones", "Customer Care", ["Care Agent", "Senior Care Agent"], [
        "mi {product} dejó de funcionar después de {days} días",
        "el {product} muestra el código de error {code}",
        "necesito un técnico para mi {product}",
        "mi {product} hace un ruido muy fuerte",
    ]),
    ("es", "returns", "devoluciones", "Customer Care", ["Care Team Lead", "Care Agent"], [
        "¿cómo devuelvo el {product}?",
        "la etiqueta de devolución del pedido {order} no funciona",
        "devolví el {product} hace {days} días y nada",
    ]),
    ("es", "delivery", "envíos", "Customer Care", ["Senior Care Agent", "Care Agent"], [
        "¿dónde está mi pedido {order}? ya van {days} días",
        "{carrier} dice entregado pero no recibí nada",
        "el {product} llegó dañado",
    ]),
    ("es", "praise", "elogios", _MKT, ["Social Media Executive", "Marketing Manager"], [
        "me encanta mi nuevo {product}",
        "el {product} es increíble, gracias",
        "excelente atención, me ayudaron en minutos",
    ]),
    ("es", "promotion", "promociones", _MKT, ["Marketing Manager", "Social Media Executive"], [
        "el código de descuento no funciona",
        "¿cómo participo en el sorteo del {product}?",
    ]),
    ("pt", "support", "suporte", _CARE, ["Care Agent", "Senior Care Agent"], [
        "o meu {product} parou de funcionar depois de {days} dias",
        "onde está a minha encomenda {order}?",
        "quero devolver o {product}, como faço?",
    ]),
    ("it", "support", "assistenza", _CARE, ["Senior Care Agent", "Care Agent"], [
        "il mio {product} non si accende più dopo {days} giorni",
        "dov'è il mio ordine {order}? sono passati {days} giorni",
        "vorrei restituire il {product}, come faccio?",
    ]),
    ("nl", "support", "klantenservice", _CARE, ["Care Agent", "Care Team Lead"], [
        "mijn {product} doet het niet meer na {days} dagen",
        "waar blijft mijn bestelling {order}?",
        "hoe kan ik de {product} retourneren?",
    ]),
    ("ja", "sales", "販売", "APAC Sales", ["Account Executive", "Partner Manager"], [
        "{product}を{qty}台まとめて購入したいのですが、担当者の方はいますか",
        "販売代理店になりたいです。{product}の取り扱い条件を教えてください",
        "法人向けの{product}の見積もりをお願いします",
    ]),
    ("ja", "support", "サポート", "APAC", ["Regional Operations Lead"], [
        "{product}が{days}日で動かなくなりました",
        "注文{order}がまだ届きません",
        "{product}のエラーコード{code}はどういう意味ですか",
    ]),
]

OPENERS = {
    "de": {"negative": ["Echt jetzt?", "Sehr enttäuscht.", "Unfassbar.", "Ich bin so genervt."],
           "neutral": ["", "Hallo,", "Guten Tag,", "Kurze Frage:", "Hallo zusammen,"],
           "positive": ["Wow!", "Einfach toll!", "Danke!", "Ich muss es sagen:"]},
    "fr": {"negative": ["Sérieusement ?", "Très déçu.", "Inadmissible.", "Ras-le-bol."],
           "neutral": ["", "Bonjour,", "Bonjour à tous,", "Petite question :", "Salut,"],
           "positive": ["Waouh !", "Trop bien !", "Merci !", "Franchement,"]},
    "es": {"negative": ["¿En serio?", "Muy decepcionado.", "Inaceptable.", "Estoy harto."],
           "neutral": ["", "Hola,", "Buenos días,", "Una pregunta:", "Hola equipo,"],
           "positive": ["¡Guau!", "¡Genial!", "¡Gracias!", "Tengo que decirlo:"]},
    "pt": {"negative": ["A sério?", "Muito desiludido."],
           "neutral": ["", "Olá,", "Bom dia,"], "positive": ["Obrigado!"]},
    "it": {"negative": ["Ma davvero?", "Molto deluso."],
           "neutral": ["", "Ciao,", "Buongiorno,"], "positive": ["Grazie!"]},
    "nl": {"negative": ["Serieus?", "Erg teleurgesteld."],
           "neutral": ["", "Hallo,", "Goedemorgen,"], "positive": ["Bedankt!"]},
    "ja": {"negative": ["本当に困っています。", "がっかりです。"],
           "neutral": ["", "こんにちは。", "お世話になっております。"],
           "positive": ["ありがとうございます！"]},
}
CLOSERS = {
    "de": {"negative": ["Bitte endlich lösen!", "So nicht.", "Nie wieder Meridian."],
           "neutral": ["", "Danke!", "Vielen Dank im Voraus.", "Viele Grüße"],
           "positive": ["Weiter so!", "Danke euch!", "Top!"]},
    "fr": {"negative": ["Réglez ça vite.", "Plus jamais.", "Honteux."],
           "neutral": ["", "Merci !", "Merci d'avance.", "Cordialement"],
           "positive": ["Continuez comme ça !", "Bravo !", "Merci encore !"]},
    "es": {"negative": ["¡Solucionadlo ya!", "Nunca más.", "Vergonzoso."],
           "neutral": ["", "¡Gracias!", "Gracias de antemano.", "Saludos"],
           "positive": ["¡Seguid así!", "¡Sois los mejores!", "¡Mil gracias!"]},
    "pt": {"negative": ["Resolvam isto!"], "neutral": ["", "Obrigado."],
           "positive": ["Parabéns!"]},
    "it": {"negative": ["Vergognoso."], "neutral": ["", "Grazie."], "positive": ["Bravi!"]},
    "nl": {"negative": ["Los dit op!"], "neutral": ["", "Alvast bedankt."],
           "positive": ["Top!"]},
    "ja": {"negative": ["早急に対応してください。"], "neutral": ["", "よろしくお願いします。"],
           "positive": ["これからも応援しています！"]},
}
FOLLOW_UPS = {
    "de": ["Gibt es schon Neuigkeiten?", "Immer noch keine Antwort.", "Danke, hat geklappt!"],
    "fr": ["Des nouvelles ?", "Toujours rien...", "Merci, c'est réglé !"],
    "es": ["¿Alguna novedad?", "Sigo esperando.", "¡Gracias, ya está resuelto!"],
    "pt": ["Alguma novidade?"], "it": ["Novità?"], "nl": ["Al nieuws?"],
    "ja": ["その後いかがでしょうか。"],
}
ANSWERS = {
    "de": {"negative": "Das tut uns sehr leid, {name}. Wir schreiben dir gleich per DM.",
           "neutral": "Danke für deine Nachricht, {name}. Wir helfen dir per DM weiter.",
           "positive": "Vielen Dank, {name}! Das freut uns riesig."},
    "fr": {"negative": "Toutes nos excuses, {name}. Nous vous écrivons en message privé.",
           "neutral": "Merci pour votre message, {name}. Nous vous répondons en privé.",
           "positive": "Merci beaucoup, {name} ! Ça nous fait très plaisir."},
    "es": {"negative": "Lo sentimos mucho, {name}. Te escribimos por mensaje directo.",
           "neutral": "Gracias por escribirnos, {name}. Te ayudamos por mensaje directo.",
           "positive": "¡Muchas gracias, {name}! Nos alegra mucho."},
    "pt": {"negative": "Lamentamos muito, {name}. Enviámos-lhe uma mensagem privada.",
           "neutral": "Obrigado pela mensagem, {name}. Respondemos em privado.",
           "positive": "Muito obrigado, {name}!"},
    "it": {"negative": "Ci dispiace molto, {name}. Ti scriviamo in privato.",
           "neutral": "Grazie per il messaggio, {name}. Ti rispondiamo in privato.",
           "positive": "Grazie mille, {name}!"},
    "nl": {"negative": "Sorry daarvoor, {name}. We sturen je een DM.",
           "neutral": "Bedankt voor je bericht, {name}. We helpen je via DM.",
           "positive": "Heel erg bedankt, {name}!"},
    "ja": {"negative": "ご不便をおかけして申し訳ございません。DMにてご連絡いたします。",
           "neutral": "お問い合わせありがとうございます。担当者よりDMにてご連絡いたします。",
           "positive": "温かいお言葉をありがとうございます！"},
}
# Where each language's messages are addressed: (network, account handle or "").
ACCOUNTS = {
    "de": [("x", "MeridianHilfe"), ("instagram", "meridian.de"), ("facebook", "MeridianHome")],
    "fr": [("facebook", "MeridianFrance"), ("x", "MeridianCares"), ("instagram", "meridianhome")],
    "es": [("x", "MeridianCares"), ("instagram", "meridianhome"), ("facebook", "MeridianHome")],
    "pt": [("instagram", "meridianhome"), ("facebook", "MeridianHome")],
    "it": [("instagram", "meridianhome"), ("facebook", "MeridianHome")],
    "nl": [("x", "MeridianHilfe"), ("facebook", "MeridianHome")],
    "ja": [("x", "MeridianJapan"), ("instagram", "meridianhome")],
}
