"""Words the demo corpus fills its messages with: products by family, where each kind of
message is addressed, customer handles, cities, carriers, roles and outlets."""

FAMILIES = {
    "laundry": ["WashPro 8 washer", "DryMax dryer", "WashPro Mini", "washing machine"],
    "kitchen": ["PureBrew coffee maker", "SmartOven X2", "FrostLine fridge", "DishPro dishwasher",
                "ChefMate blender", "fridge"],
    "climate": ["ThermoSmart thermostat", "BreezeAir purifier", "AirCool tower fan",
                "HeatWave heater", "air purifier"],
    "cleaning": ["AeroClean 500 vacuum", "RoboClean S robot vacuum", "SteamPro mop", "vacuum"],
}
ALL_PRODUCTS = [p for products in FAMILIES.values() for p in products]
RISK = {"legal": ["legal"], "safety": ["safety"], "privacy": ["privacy"], "press": ["press"],
        "distress": ["self_harm"]}
# Where English messages of each kind are addressed: (network, account handle or "").
_CARE = [("x", "MeridianCares")] * 5 + [
    ("facebook", "MeridianHome"), ("facebook", "MeridianHome"), ("instagram", "meridianhome"),
    ("reddit", "MeridianHomeOfficial"), ("bluesky", "care.meridianhome.bsky.social"),
    ("threads", ""), ("x", "MeridianHome"), ("tiktok", "meridianhome")]
_BRAND = [("instagram", "meridianhome"), ("instagram", "meridianhome"), ("tiktok", "meridianhome"),
          ("x", "MeridianHome"), ("facebook", "MeridianHome"), ("youtube", "MeridianHome"),
          ("bluesky", "meridianhome.bsky.social"), ("threads", "")]
EN_ACCOUNTS = {
    "support": _CARE, "returns": _CARE, "complaint": _CARE, "billing": _CARE,
    "delivery": _CARE, "praise": _BRAND, "promotion": _BRAND, "community": _BRAND,
    "distress": _BRAND + [("x", "MeridianCares")],
    "job": [("linkedin", "meridian-home")] * 3 + [("x", "MeridianCareers")] * 2,
    "press": [("x", "MeridianNews"), ("x", "MeridianNews"), ("linkedin", "meridian-home"),
              ("mastodon", "meridian@mastodon.social"), ("x", "MeridianHome")],
    "legal": _CARE, "privacy": _CARE, "safety": _CARE + [("youtube", "MeridianHome")],
    "idea": [("reddit", "MeridianHomeOfficial"), ("youtube", "MeridianHome"), ("x", "MeridianHome"),
             ("mastodon", "meridian@mastodon.social"), ("bluesky", "meridianhome.bsky.social")],
    "sales": [("linkedin", "meridian-home"), ("linkedin", "meridian-home"), ("x", "MeridianHome"),
              ("facebook", "MeridianHome")],
    "security": [("x", "MeridianCares"), ("instagram", "meridianhome"),
                 ("facebook", "MeridianHome"), ("x", "MeridianHome")],
}
NAMES = ["jess", "mike", "sarah", "dave", "kate", "chris", "anna", "tom", "lisa", "marc",
         "julia", "ben", "emma", "raj", "nina", "carlos", "fatou", "ken", "lena", "omar", "pierre",
         "sophie", "hans", "greta", "lucia", "pablo", "joao", "giulia", "daan", "yui", "haruto",
         "zara", "leo", "maya", "noor", "ivan", "amy", "jon", "kim", "alex"]
WORDS = ["coffee", "home", "cozy", "diy", "mama", "dad", "tech", "green", "urban", "kitchen",
         "plant", "retro", "city", "sunny", "nerd", "chef", "reno", "tiny"]
CITIES = {"en": ["Chicago", "Austin", "Denver", "Leeds", "Toronto", "Boston", "Phoenix",
                 "Manchester", "Seattle", "Atlanta"],
          "de": ["Berlin", "München", "Hamburg", "Köln"], "fr": ["Paris", "Lyon", "Marseille"],
          "es": ["Madrid", "Miami", "Sevilla", "Houston"], "pt": ["Lisboa", "Porto"],
          "it": ["Milano", "Roma"], "nl": ["Amsterdam", "Utrecht"], "ja": ["東京", "大阪"]}
CARRIERS = {"en": ["UPS", "FedEx", "USPS", "DHL", "the courier"],
            "de": ["DHL", "Hermes", "DPD"], "fr": ["Colissimo", "Chronopost", "DPD"],
            "es": ["SEUR", "Correos", "UPS"], "pt": ["CTT"], "it": ["BRT"], "nl": ["PostNL"],
            "ja": ["ヤマト運輸"]}
ROLES = ["software engineer", "warehouse associate", "product designer", "data analyst",
         "sales rep", "field technician", "marketing intern", "customer care agent",
         "supply chain planner", "UX researcher"]
FIELDS = ["engineering", "design", "marketing", "business", "computer science", "logistics"]
OUTLETS = ["Reuters", "The Verge", "Wired", "Bloomberg", "the Chicago Tribune", "Le Monde",
           "Der Spiegel", "BBC News", "TechCrunch", "a local TV station"]
DATES = ["Friday", "the weekend", "Christmas", "my move on the 15th", "next Tuesday", "the 3rd"]
HASHTAGS = {"negative": ["#fail", "#customerservice", "#neveragain", "#MeridianHome"],
            "neutral": ["#help", "#smarthome", "#MeridianHome", "#question"],
            "positive": ["#love", "#homesweethome", "#MeridianHome", "#happycustomer"]}
# Details only one kind of message has, mixed with the general ones.
KIND_DETAILS = {
    "support": ["Serial number is {serial}.", "It's plugged straight into the wall.",
                "The manual says nothing about this.", "I've reset it twice already.",
                "It's barely {months} months old.", "The light just blinks orange.",
                "I've already tried turning it off and on."],
    "returns": ["It's still in the original box.", "I have the receipt.",
                "The return portal gives me an error.", "I dropped it at the post office."],
    "complaint": ["I've been a customer for years.", "I've called {nth} time now.",
                  "Case number? Nobody ever gave me one.", "I'm telling all my friends.",
                  "My neighbour had the same problem."],
    "billing": ["The charge shows as MERIDIAN*HOME on my statement.", "I paid by PayPal.",
                "My bank says it's on your side.", "It was {amount} in total.",
                "I have the bank statement if you need it."],
    "delivery": ["I was home all day.", "No note, no card, nothing.",
                 "The app says out for delivery since 7am.", "I live on the 4th floor.",
                 "Tracking says it's in {city}."],
    "praise": ["Already told my sister to get one.", "Worth every penny.",
               "Swapped from another brand and never going back.", "Photos attached!"],
    "promotion": ["Saw it on your Instagram story.", "I follow you on every platform.",
                  "The link in your bio is broken.", "My code was {order}."],
    "job": ["I have {months} years of experience.", "My CV is on LinkedIn.",
            "I applied on the careers page.", "Happy to relocate to {city}."],
    "press": ["My deadline is 5pm today.", "Happy to send questions by email.",
              "The piece runs tomorrow morning.", "We'd quote a spokesperson by name."],
    "legal": ["I have kept every email.", "I have photos of the damage.",
              "This is your final chance to settle.", "My lawyer has a copy of this."],
    "privacy": ["I never gave consent for that.", "This is my second request.",
                "I'm in the EU, so GDPR applies.", "Please confirm in writing."],
    "safety": ["My kids were in the room.", "The fire brigade came.",
               "I unplugged it straight away.", "There's a burn mark on the wall.",
               "It happened while it was switched off."],
    "idea": ["Happy to beta test.", "Loads of people on Reddit want this too.",
             "Your competitor already has it.", "I'd pay extra for it."],
    "sales": ["We're based in {city}.", "Budget is approved for this quarter.",
              "We need delivery within six weeks.", "Please send a quote by email."],
    "security": ["I haven't clicked anything.", "I screenshotted the DM.",
                 "They used your logo.", "They asked for my card number."],
    "community": ["Been following since 2019.", "Your replies are always so quick."],
    "distress": ["I don't know who else to tell."],
}
# Ways people say the same thing: applied at random (whole words, any case), so one phrase
# of the corpus reaches a model in many wordings.
SYNONYMS = {
    "stopped working": ["quit working", "died on me", "just stopped working", "gave up"],
    "won't turn on": ["won't power on", "is completely dead", "doesn't turn on anymore"],
    "how do I": ["how can I", "how would I", "what's the way to", "how do i"],
    "can I": ["could I", "is it possible to", "am I able to"],
    "I need": ["I really need", "I'd need", "need"],
    "my order": ["my purchase", "my order"],
    "my refund": ["my money back", "the refund"],
    "the delivery": ["the shipment"],
    "huge": ["massive", "big"],
    "really": ["so", "very", "super"],
    "amazing": ["incredible", "fantastic", "awesome"],
    "nobody": ["no one", "not one person"],
    "still waiting": ["still sitting here waiting", "STILL waiting"],
    "please": ["pls", "plz"],
    "because": ["cuz", "bc"],
    "I'm": ["Im", "I am"],
    "don't": ["dont", "do not"],
    "can't": ["cant", "cannot"],
    "doesn't": ["doesnt", "does not"],
    "isn't": ["isnt", "is not"],
    "won't": ["wont", "will not"],
    "technician": ["repair person", "engineer"],
    "receipt": ["proof of purchase"],
    "charged twice": ["double charged", "billed twice", "charged two times"],
    "instalments": ["installments", "monthly payments"],
    "are you hiring a": ["are you recruiting a", "any openings for a",
                         "do you have openings for a"],
    "journalist": ["reporter", "writer"],
    "lawyer": ["attorney", "solicitor"],
    "sue": ["take legal action", "go to court"],
    "broken": ["busted", "wrecked"],
    "love": ["adore", "really like"],
    "obsessed with": ["in love with", "so happy with"],
    "the best": ["hands down the best", "easily the best"],
    "a week": ["7 days", "a whole week"],
    "personal data": ["personal information", "data"],
    "delete": ["erase", "remove"],
    "feature request": ["suggestion", "idea"],
    "would love": ["would really like", "would appreciate"],
    "quote": ["price quote", "proposal"],
    "fake": ["scam", "impostor"],
}
