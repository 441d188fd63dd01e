"""English phrasing for the demo corpus: the topics of every kind, and the pieces messages are
built from. Placeholders in braces ({product}, {order} …) are filled by demo_corpus."""

# kind -> silo that resolves it (English, default region).
KIND_SILO = {
    "support": "Customer Care", "returns": "Customer Care", "complaint": "Customer Care",
    "billing": "Finance & Billing", "delivery": "Logistics", "praise": "Marketing",
    "promotion": "Marketing", "job": "HR & Talent", "press": "Corporate Communications",
    "legal": "Legal", "privacy": "Legal", "safety": "Legal", "idea": "Product",
    "sales": "Sales", "security": "IT & Security", "community": "Social COE Hub",
    "distress": "Social COE Hub",
}

# How often each kind arrives (relative), and its sentiment mix (negative, neutral, positive).
KIND_WEIGHT = {
    "support": 22, "returns": 7, "complaint": 8, "billing": 10, "delivery": 12, "praise": 7,
    "promotion": 4, "job": 5, "press": 2.5, "legal": 2, "privacy": 2, "safety": 1.5,
    "idea": 5, "sales": 4, "security": 2, "community": 2, "distress": 0.3,
}
KIND_MOOD = {
    "support": (0.4, 0.6, 0.0), "returns": (0.3, 0.7, 0.0), "complaint": (1.0, 0.0, 0.0),
    "billing": (0.45, 0.55, 0.0), "delivery": (0.55, 0.45, 0.0), "praise": (0.0, 0.0, 1.0),
    "promotion": (0.2, 0.5, 0.3), "job": (0.0, 0.7, 0.3), "press": (0.0, 1.0, 0.0),
    "legal": (1.0, 0.0, 0.0), "privacy": (0.4, 0.6, 0.0), "safety": (1.0, 0.0, 0.0),
    "idea": (0.0, 0.6, 0.4), "sales": (0.0, 0.7, 0.3), "security": (0.3, 0.7, 0.0),
    "community": (0.0, 0.7, 0.3), "distress": (1.0, 0.0, 0.0),
}

# (kind, topic, preferred titles of the expert, by product family?, problem phrases)
TOPICS = [
    ("support", "orders", ["Care Agent", "Senior Care Agent"], False, [
        "can I still change the delivery address on order {order}?",
        "I need to cancel order {order}, I picked the wrong model",
        "order {order} has said 'processing' for {days} days now",
        "I ordered the {product} twice by mistake ({order}), can you cancel one?",
        "how do I add a gift note to order {order}",
        "the website charged me but I never got an order confirmation email",
        "is the {product} back in stock? my order {order} got put on backorder",
        "can I upgrade my order {order} to the {product} instead",
    ]),
    ("support", "warranty", ["Senior Care Agent", "Care Agent"], True, [
        "is my {product} still under warranty? bought it {months} months ago",
        "how do I register the warranty for my new {product}",
        "my warranty claim for the {product} was rejected and nobody told me why",
        "does the extended warranty cover the motor on the {product}?",
        "lost my receipt, can you still honour the warranty on my {product}",
        "what does the 2 year warranty on the {product} actually cover",
        "the warranty card in the {product} box has no serial number on it",
    ]),
    ("support", "repairs", ["Senior Care Agent", "Escalations Specialist"], True, [
        "my {product} stopped working after {days} days",
        "the {product} makes a loud grinding noise every time I use it",
        "getting error code {code} on the {product}, what does it mean?",
        "{product} won't turn on at all, tried another outlet already",
        "need a technician to look at my {product}, how do I book one",
        "the display on my {product} flickers and then goes black",
        "my {product} is leaking water all over the kitchen floor",
        "the {product} keeps restarting by itself",
        "is there a repair centre near {city} for the {product}?",
    ]),
    ("support", "installation", ["Care Agent", "Care Team Lead"], True, [
        "how do I install the {product}? the manual makes no sense",
        "the installer for my {product} never showed up today",
        "which adapter do I need to connect the {product}",
        "can the {product} be installed in a cabinet or does it need space around it",
        "the {product} won't pair with my wifi during setup",
        "do you offer installation for the {product} in {city}?",
        "missing screws in the {product} box, can't finish installing it",
    ]),
    ("support", "account access", ["Care Agent", "Quality Analyst"], False, [
        "can't log into the Meridian Home app, password reset email never arrives",
        "locked out of my Meridian account after too many attempts",
        "the 2FA code for my Meridian account never comes through",
        "how do I change the email on my Meridian account",
        "my Meridian app account got merged with my partner's somehow",
        "the app logs me out every time I close it",
    ]),
    ("returns", "returns", ["Care Agent", "Senior Care Agent"], False, [
        "how do I return the {product}? it's unopened",
        "the return label you emailed for {order} doesn't scan at the post office",
        "sent the {product} back {days} days ago and the return still isn't showing",
        "is the return window 30 or 60 days for the {product}?",
        "can someone pick up the {product} for a return, it's too heavy to ship",
        "do I need the original box to return my {product}",
        "return for {order} was marked as received but nothing since",
    ]),
    ("returns", "exchanges", ["Care Team Lead", "Care Agent"], False, [
        "can I exchange my {product} for a different colour?",
        "I want to swap the {product} for the bigger model, how does that work",
        "the exchange {product} you sent is the same faulty model",
        "got the wrong size {product}, need an exchange not a refund",
        "is it possible to exchange a gift {product} without the receipt",
    ]),
    ("complaint", "service", ["Escalations Specialist", "Care Team Lead"], False, [
        "this is the third time I'm contacting you about the same problem",
        "your agent hung up on me after {minutes} minutes on hold",
        "nobody has answered my emails in {days} days",
        "worst customer service I have ever dealt with",
        "I was promised a callback {days} days ago and nothing happened",
        "your chat bot keeps sending me in circles",
        "every agent tells me something different",
    ]),
    ("complaint", "quality", ["Quality Analyst", "Escalations Specialist"], False, [
        "my second {product} broke in the same way as the first one",
        "for this price the {product} feels incredibly cheap",
        "the {product} is nothing like what the ad showed",
        "paint is already peeling off my {product} after {months} months",
        "the {product} smells like burning plastic out of the box",
        "honestly the {product} is a downgrade from the old model",
    ]),
    ("billing", "refunds", ["Payments Analyst", "Billing Specialist"], False, [
        "still waiting on my refund of {amount} for order {order}",
        "you said the refund would take 5 days, it's been {days}",
        "refund for the returned {product} went to an old card, what now",
        "only got {amount} back instead of the full price",
        "when will I see the refund for {order}?",
        "the refund email says processed but my bank shows nothing",
        "can I get a refund instead of store credit for the {product}",
    ]),
    ("billing", "invoices", ["Accounts Receivable Clerk", "Billing Specialist"], False, [
        "I need a proper VAT invoice for order {order}",
        "the invoice for {order} has my old company name on it",
        "where can I download invoices from my Meridian account?",
        "can you resend the invoice for {order}, need it for expenses",
        "invoice total doesn't match what I paid ({amount})",
    ]),
    ("billing", "double charge", ["Financial Analyst", "Billing Specialist"], False, [
        "I was charged twice for order {order}, {amount} each time",
        "there is a charge of {amount} from Meridian I don't recognise",
        "my card got charged for the {product} subscription after I cancelled",
        "payment failed but the money still left my account",
        "why is there a pending charge of {amount} when my order was cancelled",
    ]),
    ("billing", "payment plans", ["Billing Specialist", "Financial Analyst"], False, [
        "can I pay for the {product} in instalments?",
        "how do I change the card on my payment plan",
        "my instalment for the {product} was taken twice this month",
        "do you offer 0% finance on the {product}",
        "can I pay off my payment plan early",
    ]),
    ("delivery", "delays", ["Delivery Coordinator", "Supply Planner"], False, [
        "my {product} was supposed to arrive {days} days ago",
        "delivery for {order} keeps getting pushed back",
        "it's been {days} days and order {order} still hasn't shipped",
        "the delivery date for my {product} changed again",
        "will order {order} arrive before {date}? it's a gift",
    ]),
    ("delivery", "tracking", ["Delivery Coordinator", "Carrier Manager"], False, [
        "tracking for {order} hasn't updated since it left the warehouse",
        "the tracking link in my email is broken",
        "{carrier} says the parcel was delivered but there's nothing here",
        "tracking number for {order} shows someone else's address",
        "how do I track my {product} delivery?",
    ]),
    ("delivery", "damaged", ["Warehouse Supervisor", "Delivery Coordinator"], False, [
        "the {product} arrived with a huge dent in the side",
        "box was completely crushed and the {product} glass is cracked",
        "the {carrier} driver clearly dropped my {product}",
        "parts missing from the {product} delivery, box was taped open",
        "my {product} arrived wet and smells like mould",
    ]),
    ("delivery", "carriers", ["Carrier Manager", "Delivery Coordinator"], False, [
        "the {carrier} driver left my {product} in the rain outside",
        "{carrier} refuses to deliver to my floor, the {product} is in the lobby",
        "can I choose a different carrier than {carrier}?",
        "{carrier} missed the delivery window twice, I took the day off for nothing",
        "the {carrier} courier was really rude",
    ]),
    ("praise", "product", ["Content Lead", "Brand Manager"], False, [
        "the {product} is honestly the best thing I've bought this year",
        "obsessed with my new {product}",
        "{months} months with the {product} and it still works like day one",
        "the {product} is so quiet I forget it's on",
        "my {product} just paid for itself in energy savings",
        "the new {product} design is gorgeous",
    ]),
    ("praise", "service", ["Brand Manager", "Campaign Manager"], False, [
        "huge thanks to the team that helped me with my {product}",
        "your delivery guys were so careful with my {product}",
        "shoutout to whoever answered my chat today, fixed in 5 minutes",
        "best customer experience I've had with any brand",
        "you replaced my {product} in two days, amazing",
    ]),
    ("promotion", "giveaways", ["Campaign Manager", "Content Lead"], False, [
        "how do I enter the {product} giveaway?",
        "did the winners of the {product} giveaway get announced yet",
        "is the giveaway account @meridianhome.giveaway really yours?",
        "I won the giveaway but nobody contacted me",
    ]),
    ("promotion", "discounts", ["Campaign Manager", "Brand Manager"], False, [
        "the discount code SAVE20 isn't working at checkout",
        "will the {product} be on sale for Black Friday?",
        "is there a student discount on the {product}",
        "I bought the {product} a week before the sale, can I get the difference",
    ]),
    ("promotion", "influencers", ["Influencer Marketing Manager", "Brand Manager"], False, [
        "I'm a creator with {followers} followers, would love to review the {product}",
        "how do I apply to your ambassador program?",
        "we'd love to feature the {product} in our home makeover series",
        "do you send review units of the {product} to creators?",
    ]),
    ("job", "applications", ["Recruiter", "Talent Sourcer"], False, [
        "are you hiring a {role} in {city}?",
        "I applied for the {role} position, how long does it usually take to hear back",
        "is the {role} role on your careers page still open?",
        "what's the interview process like for a {role} at Meridian?",
        "can I apply for two {role} roles at once",
        "I'd love to work for Meridian as a {role}, who should I contact",
    ]),
    ("job", "internships", ["Talent Sourcer", "Recruiter"], False, [
        "do you have summer internships for {field} students?",
        "when do applications open for the graduate program",
        "is the internship in {city} paid?",
        "I'm a {field} student looking for a placement year",
    ]),
    ("job", "employer brand", ["Employer Brand Manager", "HR Business Partner"], False, [
        "what's it actually like working at Meridian?",
        "does Meridian offer remote work for {role} roles?",
        "saw your post about parental leave, is that for all employees",
        "is Meridian a good place for people early in their career?",
    ]),
    ("press", "inquiries", ["Press Officer", "Spokesperson"], False, [
        "journalist at {outlet} here, working on a story about smart home appliances",
        "reporter with {outlet}, can I get a comment on the {product} price increase",
        "who handles media requests at Meridian? writing for {outlet}",
        "{outlet} here, we're on deadline today about your factory in {city}",
        "could your press office send me images of the new {product}",
    ]),
    ("press", "statements", ["Spokesperson", "Press Officer"], False, [
        "will Meridian make a statement about the {product} recall rumours?",
        "is it true Meridian is closing the {city} plant? {outlet} is asking",
        "any official response to the viral video about the {product}?",
        "podcast host here, would your CEO come on to talk about the {product}",
    ]),
    ("legal", "threats", ["Product Counsel", "Paralegal"], False, [
        "my lawyer will be in touch about the {product} that flooded my kitchen",
        "I'm taking Meridian to small claims court over order {order}",
        "consider this formal notice, I will sue if this isn't resolved",
        "we're looking into a class action over the {product} defect",
        "I've contacted consumer protection and my attorney about {order}",
    ]),
    ("legal", "intellectual property", ["Paralegal", "Product Counsel"], False, [
        "your new {product} ad uses my photo without permission",
        "the {product} design copies our patented hinge",
        "you are using my music in your latest video without a licence",
        "cease and desist: your campaign uses our trademark",
    ]),
    ("privacy", "data requests", ["Privacy Counsel", "Compliance Manager"], False, [
        "I want a copy of all the personal data Meridian holds about me",
        "please delete my account and all my data under GDPR",
        "why did I get marketing emails after I unsubscribed",
        "does the {product} send recordings from my home to your servers?",
        "who did you share my address with? I'm getting spam about the {product}",
        "how do I opt out of the {product} usage tracking",
    ]),
    ("safety", "product safety", ["Compliance Manager", "Product Counsel"], False, [
        "my {product} started smoking and caught fire last night",
        "got an electric shock from the {product} handle",
        "the {product} overheated and melted the counter",
        "the {product} door came off and nearly hit my kid",
        "sparks came out of the {product} plug, is this a known issue?",
        "the {product} battery swelled up, is it safe to keep in the house?",
    ]),
    ("idea", "feature requests", ["Product Manager", "UX Researcher"], False, [
        "would love a dark mode in the Meridian Home app",
        "please add a timer function to the {product}",
        "idea: let the {product} work with Google Home and Alexa",
        "the {product} needs a quieter night mode",
        "could you make the {product} filter subscription optional",
        "feature request: energy usage history for the {product}",
        "can the next {product} have a bigger water tank?",
    ]),
    ("idea", "app bugs", ["Firmware Engineer", "Product Manager"], False, [
        "the Meridian Home app crashes whenever I open the {product} schedule",
        "since the last update the app shows my {product} as offline",
        "app notifications for the {product} arrive hours late",
        "the app won't let me rename my {product}",
        "firmware update for the {product} failed halfway, now it's stuck",
        "after firmware {version} my {product} forgets its settings",
    ]),
    ("idea", "beta program", ["UX Researcher", "Product Manager"], False, [
        "how do I join the beta for the new {product} firmware?",
        "happy to test prototypes, I own three Meridian devices",
        "is the {product} beta still taking testers?",
    ]),
    ("sales", "bulk orders", ["Account Executive", "Sales Development Rep"], False, [
        "we're furnishing {qty} apartments and need {product} units, who do I talk to",
        "looking for a quote on {qty} x {product} for our office",
        "do you do volume pricing for property developers?",
        "our hotel chain is replacing {qty} {product}s, can sales contact me",
    ]),
    ("sales", "retail partners", ["Partner Manager", "Account Executive"], False, [
        "we run {qty} hardware stores and want to stock Meridian",
        "how do I become an authorised Meridian retailer in {city}?",
        "our distributor can't get the {product} anymore, can we buy direct",
        "interested in a partnership to carry the {product} line",
    ]),
    ("sales", "demos", ["Sales Engineer", "Sales Development Rep"], False, [
        "can we get a demo of the {product} for our facilities team",
        "does the {product} have an API for building management systems?",
        "we need specs and pricing for the commercial {product}",
    ]),
    ("security", "impostors", ["Security Analyst", "Identity Engineer"], False, [
        "is @meridian_support_help an official account? they asked for my card number",
        "someone pretending to be Meridian support DMed me",
        "there's a fake Meridian page running a giveaway scam",
        "got a DM from 'Meridian Help' asking for my password, is that you?",
    ]),
    ("security", "phishing", ["Security Analyst", "IT Administrator"], False, [
        "got an email saying my Meridian account is suspended, looks like phishing",
        "is meridian-home-refunds.com your website?",
        "a text message says my {product} delivery needs a fee, is that real",
        "I think my Meridian account was hacked, orders I didn't make",
    ]),
    ("community", "general", ["Community Manager", "Social Media Strategist"], False, [
        "who actually runs this account? love the replies",
        "do you have a community forum for {product} owners?",
        "which account should I message for help, there are so many Meridian accounts",
        "can you follow back? big fan of the brand",
    ]),
    ("distress", "wellbeing", ["Community Manager", "Head of Social COE"], False, [
        "honestly I can't take this anymore, I don't want to be here anymore",
        "everything is falling apart and I just want to end it all",
        "I feel like giving up on everything, this was the last straw",
        "some days I don't want to live anymore and this broken {product} is the last straw",
        "I just want to die, nothing ever works out",
    ]),
]

GREETINGS = ["", "", "", "Hi", "Hello", "Hey", "Hi there", "Good morning", "hey team", "Hiya",
             "Dear Meridian", "Hello Meridian team", "yo", "Quick question"]
OPENERS = {
    "negative": ["Seriously?", "Really disappointed.", "Not happy at all.", "Unbelievable.",
                 "I'm so frustrated.", "This is ridiculous.", "Fed up.", "Ugh.",
                 "Very annoyed right now.", "What a joke.", "Terrible experience so far.",
                 "I'm furious.", "Absolutely unacceptable."],
    "neutral": ["", "", "Quick one:", "Question:", "Wondering if you can help.",
                "Can someone help?", "Not sure who to ask.",
                "Hoping you can point me the right way.",
                "Sorry to bother you.", "Could you help me out?", "Small question."],
    "positive": ["Wow!", "Just wanted to say", "Love this!", "So happy!", "Big thanks!",
                 "Amazing!", "Can't stop smiling.", "Okay I have to say it:", "Honestly,",
                 "Brilliant news:"],
}
CLOSERS = {
    "negative": ["Sort this out.", "Expect better from you.", "Never buying Meridian again.",
                 "Please fix this NOW.", "Waste of money.", "Still waiting...",
                 "Is anyone even reading these?", "Disgraceful.", "Very poor.", "Done with this.",
                 "I want answers today.", "Thanks for nothing."],
    "neutral": ["", "", "Thanks!", "Thanks in advance.", "Cheers.", "Appreciate it.",
                "Any help appreciated.", "Thank you.", "Let me know.", "DM me if easier.",
                "Can someone get back to me?", "Thx"],
    "positive": ["Keep it up!", "You guys rock.", "Thank you so much!", "10/10.",
                 "Will recommend to everyone.", "Made my day.", "Love it.", "Legends.",
                 "Thanks again!", "Happy customer here."],
}
EMOJI = {
    "negative": ["😡", "😤", "🙄", "😠", "👎", "🤬", "😞", "😒"],
    "neutral": ["🤔", "🙏", "👀", "📦", "🤷", ""],
    "positive": ["😍", "🙌", "❤️", "🔥", "👏", "✨", "💯", "😊", "🥳"],
}
# Details that make a message longer and more specific.
DETAILS = [
    "Order number is {order}.", "I bought it in {city}.", "It's the {product}.",
    "I have photos if needed.",
    "My partner called last week too.", "Posted here because email got no reply.",
    "Ref {order}.", "Bought it {months} months ago.", "See {url}",
    "This is my {nth} Meridian product.", "I'm in {city} if that matters.",
    "Already checked the FAQ.", "Paid {amount} for it.",
]
# Vague messages: the topic is there, but barely.
VAGUE = ["need some help with my {product}, can you DM me?", "about my order {order}...",
         "still no answer to my message", "can someone call me back please",
         "having issues, who do I talk to?", "help pls", "question about the {product}"]
# A second topic mentioned in passing (the first topic decides the silo).
ASIDES = ["Also, I was charged twice.", "Also the delivery guy was late.",
          "Also will the {product} be on sale soon?", "And the app keeps crashing too.",
          "Btw the return label didn't work either.", "Also, love the new ad!",
          "Also are you hiring?"]
FOLLOW_UPS = {
    "negative": ["Any update?", "Still waiting on this.", "Hello?? anyone?", "2 days and nothing.",
                 "This still isn't fixed.", "Why is nobody answering"],
    "neutral": ["Any news on this?", "Just following up.", "Sent you a DM with the details.",
                "Here's my order number: {order}", "Bumping this."],
    "positive": ["Thanks, that worked!", "All sorted now, thank you!", "Perfect, thanks 🙏",
                 "Got it, much appreciated."],
}
ANSWERS = {
    "negative": ["We're really sorry about this, {name}.", "Sorry for the trouble, {name}.",
                 "We apologise, that's not the experience we want for you.",
                 "So sorry to hear that, {name}."],
    "neutral": ["Thanks for reaching out, {name}.", "Hi {name}, happy to help.",
                "Thanks for your message.", "Good question, {name}."],
    "positive": ["Thank you so much, {name}!", "This made our day, {name}!",
                 "Thanks for the kind words!", "We love hearing this, {name}."],
}
ANSWER_INFO = {
    "support": "I've sent you a DM with the next steps for the {product}.",
    "returns": "You can start the return from your account; the label arrives by email.",
    "complaint": "I've escalated this to our escalations team and will call you today.",
    "billing": "Refunds reach your card 3–5 working days after we process them; I've checked "
               "yours.",
    "delivery": "I've opened a ticket with the carrier and will update you within 24 hours.",
    "praise": "We've passed your message on to the team.",
    "promotion": "Details are on our promotions page; send us a DM if the code still fails.",
    "job": "You'll find open roles at meridian.example/careers and our recruiters reply within "
           "a week.",
    "press": "Please email press@meridian.example and our press office will respond today.",
    "legal": "Please send the details to legal@meridian.example so our team can review them.",
    "privacy": "You can request or delete your data at meridian.example/privacy; we respond "
               "within 30 days.",
    "safety": "Please stop using the {product} and unplug it; our safety team will contact you "
              "today.",
    "idea": "Thanks, we've shared this with the product team.",
    "sales": "Our sales team will contact you; could you DM us your email?",
    "security": "That is not an official account: please don't share any details and report "
                "it.",
    "community": "You can find all our official accounts at meridian.example/social.",
    "distress": "We're here for you. If you are in danger please call your local emergency "
                "number or a crisis line; would you like us to DM you some support contacts?",
}
