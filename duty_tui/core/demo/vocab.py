"""Word lists for the demo office: names, places, and the phrases staff write.

Names mix Faker's en_GB lists (weighted by real frequency) with the other
names a UK housing office meets every day, including apostrophes, hyphens and
accents so that search keys are exercised. Everything here is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

from faker.providers.person.en_GB import Provider as _GBNames

# -- people -----------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """A naming tradition: forenames by sex, surnames, and languages some speakers may need."""

    code: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    surname_weights: tuple[float, ...] | None
    languages: tuple[str, ...]


def _zipf(names: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(1.0 / (rank + 8) for rank in range(len(names)))


_GB_SURNAMES = tuple(_GBNames.last_names.keys())
_GB_SURNAME_WEIGHTS = tuple(float(w) for w in _GBNames.last_names.values())

BRITISH = Origin(
    "british",
    tuple(_GBNames.first_names_male) + ("Jon", "Alfie", "Reece", "Kyle", "Dean", "Wayne", "Liam"),
    tuple(_GBNames.first_names_female) + ("Zoë", "Joan", "Chloé", "Renée", "Kayleigh", "Shannon", "Leanne"),
    _GB_SURNAMES + ("Smyth", "Smith-Jones", "Clarke-Hughes", "Ashworth", "Bright", "Doyle"),
    _GB_SURNAME_WEIGHTS + (0.02, 0.01, 0.01, 0.03, 0.03, 0.05),
    (),
)
IRISH_SCOTTISH = Origin(
    "irish_scottish",
    ("Sean", "Ciaran", "Padraig", "Niall", "Cillian", "Eoin", "Callum", "Angus", "Hamish", "Lachlan",
     "Ruairidh", "Fraser", "Declan", "Conor", "Ross", "Euan", "Craig", "Gordon", "Alasdair", "Brendan"),
    ("Siobhan", "Niamh", "Aoife", "Saoirse", "Róisín", "Orla", "Ciara", "Eilidh", "Morag", "Kirsty",
     "Catriona", "Isla", "Mhairi", "Fiona", "Shona", "Ailsa", "Bronagh", "Sinéad", "Caitlin", "Deirdre"),
    ("O'Brien", "O'Connor", "O'Neill", "Murphy", "Kelly", "Byrne", "Walsh", "McCarthy", "Gallagher",
     "Doherty", "McDonald", "Macdonald", "MacLeod", "McLean", "Campbell", "Stewart", "Robertson", "Murray",
     "Fraser", "Ross", "Mackenzie", "Sinclair", "MacKay", "McGregor", "Ferguson", "Quinn", "Ó Briain"),
    None,
    (),
)
SOUTH_ASIAN = Origin(
    "south_asian",
    ("Mohammed", "Muhammad", "Ahmed", "Imran", "Bilal", "Hamza", "Usman", "Tariq", "Rizwan", "Amir",
     "Zain", "Arjun", "Rahul", "Sanjay", "Vijay", "Harpreet", "Gurpreet", "Jaspal", "Sunil", "Ravi",
     "Abdul", "Shahid", "Asif", "Faisal", "Ali", "Kamal", "Nadeem"),
    ("Aisha", "Ayesha", "Fatima", "Amina", "Zara", "Maryam", "Nadia", "Sana", "Hina", "Priya", "Anjali",
     "Sunita", "Rupinder", "Harjit", "Nazia", "Shabana", "Rukhsana", "Farzana", "Samina", "Noor", "Iqra",
     "Sadia", "Parveen", "Kiran", "Pooja", "Simran"),
    ("Khan", "Ali", "Ahmed", "Hussain", "Begum", "Akhtar", "Iqbal", "Shah", "Malik", "Rahman", "Mahmood",
     "Rashid", "Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Chowdhury", "Uddin", "Islam", "Miah",
     "Bibi", "Mistry", "Desai", "Choudhury", "Qureshi", "Butt"),
    None,
    ("Urdu", "Punjabi", "Bengali (Sylheti)", "Gujarati", "Pashto"),
)
EAST_EUROPEAN = Origin(
    "east_european",
    ("Piotr", "Tomasz", "Krzysztof", "Łukasz", "Marek", "Paweł", "Andrzej", "Michał", "Jakub", "Mateusz",
     "Andrei", "Mihai", "Ionuț", "Vasile", "Darius", "Tomas", "Mantas", "Jonas", "Aurimas", "Bogdan"),
    ("Anna", "Katarzyna", "Agnieszka", "Magdalena", "Joanna", "Małgorzata", "Ewa", "Marta", "Ioana",
     "Elena", "Maria", "Andreea", "Ieva", "Rūta", "Jolanta", "Alina", "Oksana", "Natalia"),
    ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański",
     "Popescu", "Ionescu", "Popa", "Dumitru", "Kazlauskas", "Petrauskas", "Jankauskas", "Horváth",
     "Novák", "Kovalenko", "Shevchenko"),
    None,
    ("Polish", "Romanian", "Lithuanian", "Ukrainian", "Slovak"),
)
AFRICAN = Origin(
    "african",
    ("Oluwaseun", "Chinedu", "Emeka", "Kwame", "Kofi", "Tunde", "Abdi", "Mohamed", "Yusuf", "Abdullahi",
     "Samuel", "Daniel", "Joseph", "Tesfaye", "Dawit", "Ibrahim", "Kelechi", "Femi"),
    ("Ngozi", "Chiamaka", "Funmilayo", "Abena", "Ama", "Fadumo", "Hodan", "Amina", "Sahra", "Grace",
     "Blessing", "Esther", "Faith", "Mebrat", "Hiwot", "Adaeze", "Yetunde", "Nafisa"),
    ("Okafor", "Adeyemi", "Okonkwo", "Mensah", "Boateng", "Asante", "Mohamed", "Abdi", "Hassan", "Farah",
     "Warsame", "Osei", "Adebayo", "Eze", "Nwosu", "Owusu", "Tesfay", "Gebremedhin", "Ali", "Jama"),
    None,
    ("Somali", "Tigrinya", "Amharic", "French", "Arabic"),
)
MIDDLE_EASTERN = Origin(
    "middle_eastern",
    ("Omar", "Karim", "Mustafa", "Hassan", "Reza", "Hussein", "Ahmad", "Kawa", "Dilan", "Samir",
     "Mahmoud", "Yasin", "Rebwar", "Farhad", "Mohammad", "Ali"),
    ("Layla", "Mariam", "Zainab", "Noura", "Shirin", "Leila", "Rania", "Hana", "Soraya", "Dilnaz",
     "Roya", "Yasmin", "Lina", "Huda"),
    ("Ahmadi", "Hosseini", "Rahimi", "Mohammadi", "Karimi", "Abdullah", "Saleh", "Haddad", "Mahmoud",
     "Aziz", "Kurdi", "Rasul", "Hamid", "Nasser", "Al-Sayed", "Jaff"),
    None,
    ("Arabic", "Kurdish (Sorani)", "Farsi", "Dari", "Pashto"),
)

ORIGINS = {o.code: o for o in (BRITISH, IRISH_SCOTTISH, SOUTH_ASIAN, EAST_EUROPEAN, AFRICAN, MIDDLE_EASTERN)}
FORENAME_WEIGHTS = {code: (_zipf(o.male), _zipf(o.female)) for code, o in ORIGINS.items()}

ORIGIN_MIX = {
    "england": {"british": 0.72, "irish_scottish": 0.05, "south_asian": 0.09, "east_european": 0.06,
                "african": 0.05, "middle_eastern": 0.03},
    "wales": {"british": 0.80, "irish_scottish": 0.04, "south_asian": 0.06, "east_european": 0.05,
              "african": 0.03, "middle_eastern": 0.02},
    "scotland": {"british": 0.55, "irish_scottish": 0.30, "south_asian": 0.06, "east_european": 0.05,
                 "african": 0.02, "middle_eastern": 0.02},
    "northern_ireland": {"british": 0.45, "irish_scottish": 0.45, "south_asian": 0.03, "east_european": 0.05,
                         "african": 0.01, "middle_eastern": 0.01},
}

FEMALE_SURNAME_FORMS = {"ski": "ska", "cki": "cka", "dzki": "dzka"}
FEMALE_ONLY_SURNAMES = frozenset({"Begum", "Bibi", "Kaur"})
MALE_ONLY_SURNAMES = frozenset({"Singh"})

# -- places -----------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """Where the demo office is: postcode districts with their sectors and towns, and the dialling code."""

    town: str
    dialling_code: str
    districts: tuple[tuple[str, tuple[int, ...], str], ...]  # (district, sectors, town)


AREAS = {
    "england": Area("Swindon", "01793", (
        ("SN1", (1, 2, 3, 4, 5), "Swindon"), ("SN2", (1, 2, 5, 7, 8), "Swindon"),
        ("SN3", (1, 2, 3, 4, 5, 6), "Swindon"), ("SN5", (3, 5, 6, 7, 8), "Swindon"),
        ("SN25", (1, 2, 3, 4), "Swindon"), ("SN4", (0, 9), "Wroughton"), ("SN6", (7,), "Highworth"),
        ("SN26", (7,), "Blunsdon"),
    )),
    "wales": Area("Newport", "01633", (
        ("NP19", (0, 4, 7, 8, 9), "Newport"), ("NP20", (1, 2, 3, 4, 5, 6), "Newport"),
        ("NP10", (8, 9), "Newport"), ("NP18", (1, 2, 3), "Caerleon"), ("NP44", (1, 2, 3), "Cwmbran"),
    )),
    "scotland": Area("Dundee", "01382", (
        ("DD1", (1, 2, 3, 4, 5), "Dundee"), ("DD2", (1, 2, 3, 4, 5), "Dundee"), ("DD3", (0, 6, 7, 8, 9), "Dundee"),
        ("DD4", (0, 6, 7, 8, 9), "Dundee"), ("DD5", (1, 2, 3, 4), "Broughty Ferry"),
    )),
    "northern_ireland": Area("Belfast", "028 90", (
        ("BT5", (4, 5, 6, 7), "Belfast"), ("BT6", (0, 8, 9), "Belfast"), ("BT11", (8, 9), "Belfast"),
        ("BT12", (4, 5, 6, 7), "Belfast"), ("BT13", (1, 2, 3), "Belfast"), ("BT14", (6, 7, 8), "Belfast"),
        ("BT15", (2, 3, 4, 5), "Belfast"),
    )),
}

# Royal Mail never uses C, I, K, M, O or V in the last two letters of a postcode.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_THEMES = {
    "trees": ("Ash", "Beech", "Birch", "Cedar", "Elm", "Hawthorn", "Hazel", "Holly", "Larch", "Laurel", "Lime",
              "Maple", "Oak", "Rowan", "Sycamore", "Willow", "Yew", "Chestnut", "Poplar", "Alder", "Juniper"),
    "birds": ("Kestrel", "Heron", "Swallow", "Wren", "Robin", "Kingfisher", "Lark", "Falcon", "Merlin",
              "Plover", "Curlew", "Skylark", "Nightingale", "Goldfinch", "Linnet", "Osprey"),
    "writers": ("Keats", "Shelley", "Byron", "Wordsworth", "Tennyson", "Milton", "Chaucer", "Dickens", "Hardy",
                "Austen", "Blake", "Browning", "Coleridge", "Kipling", "Orwell", "Brontë", "Eliot"),
    "rivers": ("Thames", "Severn", "Avon", "Kennet", "Ray", "Cole", "Tyne", "Wye", "Trent", "Dee", "Tees",
               "Ouse", "Test", "Frome", "Stour"),
    "statesmen": ("Attlee", "Bevan", "Churchill", "Lansbury", "Morrison", "Gladstone", "Disraeli", "Keir Hardie",
                  "Bevin", "Wilkinson", "Pankhurst", "Lloyd George", "Peel", "Cripps"),
    "flowers": ("Bluebell", "Primrose", "Foxglove", "Daisy", "Heather", "Lavender", "Poppy", "Cowslip",
                "Campion", "Clover", "Speedwell", "Harebell", "Honeysuckle", "Snowdrop"),
    "local": ("Mill", "Church", "Station", "Victoria", "Albert", "Queens", "Kings", "Park", "Manor", "Meadow",
              "Orchard", "Brook", "Farm", "School", "Bridge", "Market", "Castle", "Priory", "Grange",
              "Windmill", "Quarry", "Canal", "Railway", "Forge", "Well", "Cross", "Green", "Hill", "Valley"),
}
HOUSE_SUFFIXES = ("Road", "Street", "Lane", "Avenue", "Close", "Way", "Drive", "Crescent", "Gardens",
                  "Grove", "Place", "Walk", "Terrace", "Rise", "Mews", "View", "Row")
HOUSE_SUFFIX_WEIGHTS = (14, 10, 8, 7, 12, 7, 6, 5, 4, 4, 3, 3, 3, 2, 1, 1, 1)
BLOCK_SUFFIXES = ("House", "Court", "Tower", "Point", "Lodge")
BLOCK_SUFFIX_WEIGHTS = (8, 6, 2, 1, 1)

# -- payments ----------------------------------------------------------------------

TILLS = ("TILL1", "TILL2", "TILL3")

# -- alerts -------------------------------------------------------------------------

ALERT_TEXT = {
    "violent_aggressive": (
        "Risk to staff — see restricted detail",
        ("Threatened a housing officer with a hammer at the front door; police attended (synthetic record). "
         "Visit in pairs only; meet at the office where possible.",
         "Verbally abusive and threatening on the phone and at reception; shouted and banged the screen. "
         "Do not see alone; end the call if abuse starts.",
         "Known to carry a knife according to police intelligence shared under the ISA. Two officers, "
         "daylight visits, tell the duty manager before going.")),
    "domestic_abuse": (
        "Do not disclose address or contact details — see restricted detail",
        ("Fleeing a violent ex-partner who has tried to find her through family. Never confirm she lives here; "
         "MARAC case (synthetic).",
         "Non-molestation order in place against former partner. Do not give out any details to callers.")),
    "vulnerable_adult": (
        "Vulnerable adult — see restricted detail",
        ("Memory problems (early dementia); daughter holds lasting power of attorney. Confirm appointments "
         "in writing and by phone.",
         "Severe anxiety and agoraphobia; prefers phone contact and needs extra time. Care co-ordinator at "
         "the community mental health team.",
         "Learning disability; needs information explained simply and in easy read. Support worker visits "
         "Tuesdays.")),
    "safeguarding_child": (
        "Child safeguarding — see restricted detail",
        ("Children on a child protection plan (neglect). Report any concerns the same day to children's services.",
         "Social worker allocated; share any concerns about the children with the MASH team immediately.")),
    "interpreter": ("Needs an interpreter", ()),
    "hearing_impaired": (
        "Profoundly deaf — use text relay or a BSL interpreter",
        ("Lip-reads; face the customer and speak clearly. Book a BSL interpreter for appointments.",)),
    "no_lone_visits": (
        "Two officers to visit — see detail",
        ("Large dog on the premises that has bitten a contractor. Ask for it to be secured before entry.",
         "Block entrance used for drug dealing in the evenings; visit in pairs, daytime only.",
         "Previous threats to staff at this address by a visitor; two officers to attend.")),
}

# -- cases ---------------------------------------------------------------------------

CASE_TEAMS = {
    "repair": "repairs", "complaint": "complaints", "asb": "asb", "homelessness": "options",
    "arrears": "income", "tenancy": "tenancy", "lettings": "lettings", "safeguarding": "safeguarding",
}

CASE_SUMMARIES = {
    "repair": (
        "Damp and mould in back bedroom", "Leaking kitchen tap", "No heating or hot water", "Broken front door lock",
        "Blocked toilet", "Loose stair banister", "Living room window will not close", "Boiler pressure keeps dropping",
        "Roof leak above the bathroom", "Smoke alarm chirping — needs replacing", "Mould on bathroom ceiling",
        "Fence panels blown down", "Communal door entry system broken", "Extractor fan not working in kitchen",
        "Cracked wash basin", "Rotten window frame in bedroom", "Toilet cistern overflowing",
        "Kitchen cupboard doors hanging off", "Radiator cold at the top", "Shower tray leaking into flat below",
    ),
    "repair_emergency": (
        "Electric sockets sparking in kitchen", "Gas smell reported — Cadent attended, supply capped",
        "Water pouring through ceiling light", "Front door forced — property insecure",
        "No power to the flat", "Sewage backing up into the bath",
    ),
    "complaint": (
        "Stage 1 complaint: missed repair appointment", "Stage 1 complaint: staff attitude on the phone",
        "Stage 2 complaint: damp not resolved", "Stage 1 complaint: noise from neighbours not acted on",
        "Stage 1 complaint: rent charged after end of tenancy", "Stage 1 complaint: contractor left a mess",
        "Stage 2 complaint: handling of ASB report", "Stage 1 complaint: no reply to emails",
    ),
    "asb": (
        "Noise from neighbour late at night", "Drug dealing reported at block entrance",
        "Dog fouling in communal garden", "Harassment by neighbour's visitors", "Graffiti on garage doors",
        "Cannabis smell from flat below", "Youths gathering in stairwell", "Verbal abuse from neighbour",
    ),
    "homelessness": (
        "Approach: asked to leave by family", "Approach: section 21 notice expires in 6 weeks",
        "Approach: fleeing domestic abuse", "Approach: rough sleeping — referred by outreach",
        "Duty to refer from hospital discharge team", "Approach: relationship breakdown",
        "Approach: private landlord selling the property", "Duty to refer from probation",
        "Approach: sofa surfing with friends", "Approach: leaving care at 18",
    ),
    "arrears": (
        "Arrears over 8 weeks — arrange plan", "UC claimant: request APA", "Notice of seeking possession served — monitor",
        "Court hearing date set — prepare statement", "Broken arrangement — contact tenant",
        "HB stopped — check new claim", "Former tenant arrears — trace and contact",
    ),
    "tenancy": (
        "Request to add partner to the tenancy", "Succession application after death of tenant",
        "Mutual exchange request", "Request to keep a dog", "Introductory tenancy review due",
        "Abandonment suspected — no contact for 6 weeks", "Tenancy fraud allegation — subletting",
        "Request for a tenancy transfer (medical grounds)",
    ),
    "lettings": (
        "Housing register application — verify documents", "Banding review requested",
        "Offer of 2-bed flat — arrange viewing", "Medical priority assessment", "Sign-up appointment to book",
        "Change of circumstances on housing register",
    ),
    "safeguarding": (
        "Concern for welfare: elderly tenant not seen", "Child safeguarding referral from school",
        "Self-neglect concern — hoarding reported", "Adult safeguarding referral from GP",
        "Concern raised by contractor about children left alone",
    ),
    "reception": (
        "Callback requested about rent statement", "Callback: wants to speak to housing officer",
        "Callback: lost keys — replacement fob", "Callback: parking permit enquiry",
    ),
}

CASE_NOTES_FIRST = (
    "Logged at the front desk. {summary}.", "Phoned in. {summary}.", "Email received. {summary}.",
    "Raised by the housing officer after a home visit. {summary}.",
)
CASE_NOTES_LATER = (
    "Called the customer, no answer; left a voicemail asking them to call back.",
    "Spoke to the customer; explained the next steps and the timescale.",
    "Appointment booked; confirmation letter sent.", "Chased the contractor for an update.",
    "Customer called for an update; told it is with the team.", "Sent a letter asking for documents.",
    "Documents received and checked.", "Visited; no one home, card left.",
    "Discussed with the team leader; agreed the next step.", "Referral made to the partner agency.",
)
CASE_OUTCOMES = ("resolved", "completed", "no_further_action", "withdrawn", "referred")

# -- contacts (codes as in data/frontdesk/contact_reasons.toml) --------------------------------

CONTACT_REASONS = {
    "repair": ("repairs.report", "repairs"), "repair_emergency": ("repairs.emergency_hazard", "repairs"),
    "damp": ("repairs.damp_mould", "repairs"), "complaint": ("complaint.new", "complaints"),
    "asb": ("asb.report", "asb"), "homelessness": ("homelessness.approach", "options"),
    "arrears": ("rent.arrears", "income"), "tenancy": ("tenancy.change", "tenancy"),
    "lettings": ("register.status", "lettings"), "safeguarding": ("safeguarding.adult", "safeguarding"),
    "reception": ("service.request", "reception"),
}
RANDOM_CONTACTS = (
    ("rent.balance", "income", 14), ("rent.payment", "income", 10), ("rent.benefits", "income", 5),
    ("repairs.report", "repairs", 14), ("repairs.chase", "repairs", 9), ("homelessness.advice", "options", 4),
    ("homelessness.approach", "options", 3), ("asb.update", "asb", 3), ("register.status", "lettings", 7),
    ("register.apply", "lettings", 3), ("complaint.chase", "complaints", 2), ("complaint.compliment", "complaints", 1),
    ("service.request", "reception", 5), ("general.other", "reception", 6), ("general.directions", "reception", 3),
)
CONTACT_NOTES = {
    "rent.balance": ("Told the balance; no further action.", "Balance given after ID check.",
                     "Explained the statement; sent a copy."),
    "rent.payment": ("Explained how to set up a direct debit.", "Gave allpay card details.",
                     "Took a payment at the counter."),
    "rent.benefits": ("Advised on a UC housing costs claim.", "Gave HB change-of-circumstances form."),
    "repairs.report": ("Repair raised with the contractor.", "Passed to repairs to inspect."),
    "repairs.chase": ("Chased the contractor; appointment confirmed.", "Apologised for the delay; escalated."),
    "homelessness.advice": ("Gave advice about the notice and rights; leaflet given.", "Signposted to Shelter."),
    "homelessness.approach": ("Booked an options interview.", "Passed to duty options officer."),
    "asb.update": ("Updated the caller on their ASB case.",), "register.status": ("Told the banding and position.",),
    "register.apply": ("Helped start an online application.",), "complaint.chase": ("Chased the complaint handler.",),
    "complaint.compliment": ("Compliment about the repairs operative passed on.",),
    "service.request": ("Arranged a callback.", "Booked an appointment."),
    "general.other": ("General enquiry answered.", "Directed to council tax."),
    "general.directions": ("Gave directions to the one-stop shop.",),
}
CONTACT_CHANNELS = ("face_to_face", "phone", "email", "letter")
CONTACT_CHANNEL_WEIGHTS = (35, 45, 15, 5)
