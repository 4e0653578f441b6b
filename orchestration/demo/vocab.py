"""Vocabularies of the demo company (Brightwave, a B2B revenue-analytics SaaS).

Everything channel-relevant that the generator emits is listed here, with the channel and source
group the ground truth gives it, so the mapping seeds can be written from this file (docs/demo-data.md
shows the same tables). Contract column lists are never restated here: they come from the contract.
"""

from __future__ import annotations

# The tables below are laid out by hand, one row per line.
# fmt: off

SITE_HOST = "www.brightwave.example"
SITE = f"https://{SITE_HOST}"
STAFF_DOMAIN = "brightwave.example"

GROUPS = ("sales", "marketing", "community", "direct")
SALES, MARKETING, COMMUNITY, DIRECT = range(4)

# ---------------------------------------------------------------------------------------------
# Touch kinds of the simulation: (name, source group, category). Category says which raw rows a
# touch becomes: web = a web session; click = a referral click (+ usually the session it opens);
# record = a referral record; response = a responded campaign member; activity = a CRM task or
# event; source = a lead-source touch (a lead/contact whose creation no form or response explains);
# untracked = no raw row at all (word of mouth no link or code carried: world.py
# UNTRACKED_WORD_OF_MOUTH_RATE). Listed last, so no other kind's index or draw moves.
# ---------------------------------------------------------------------------------------------
KINDS: tuple[tuple[str, int, str], ...] = (
    ("web_paid_search", MARKETING, "web"),
    ("web_paid_social", MARKETING, "web"),
    ("web_display", MARKETING, "web"),
    ("web_email", MARKETING, "web"),
    ("web_organic_search", MARKETING, "web"),
    ("web_organic_social", MARKETING, "web"),
    ("web_review_site", MARKETING, "web"),
    ("web_pr", MARKETING, "web"),
    ("web_community", COMMUNITY, "web"),
    ("web_partner", COMMUNITY, "web"),
    ("web_direct", DIRECT, "web"),
    ("referral_click", COMMUNITY, "click"),
    ("referral_record", COMMUNITY, "record"),
    ("response_marketing", MARKETING, "response"),
    ("response_community", COMMUNITY, "response"),
    ("sales_call", SALES, "activity"),
    ("sales_email", SALES, "activity"),
    ("sales_meeting", SALES, "activity"),
    ("sales_demo", SALES, "activity"),
    ("community_meeting", COMMUNITY, "activity"),
    ("marketing_activity", MARKETING, "activity"),
    ("source_sales", SALES, "source"),
    ("source_marketing", MARKETING, "source"),
    ("source_community", COMMUNITY, "source"),
    ("source_direct", DIRECT, "source"),
    ("word_of_mouth", COMMUNITY, "untracked"),
)
KIND_NAMES = tuple(k[0] for k in KINDS)
K = {name: i for i, name in enumerate(KIND_NAMES)}
WEB_KINDS = tuple(K[k[0]] for k in KINDS if k[2] == "web")

# Touch-kind weights per phase: pre = before the person is known, nurture = a known lead/contact
# before the opportunity, opp = after the opportunity is created. Community kinds are multiplied by
# community_strength; the kinds of the journey's origin group are doubled.
PHASE_WEIGHTS: dict[str, dict[str, float]] = {
    "pre": {
        "web_paid_search": 3, "web_paid_social": 2, "web_display": 1, "web_email": 0.3,
        "web_organic_search": 4, "web_organic_social": 2, "web_review_site": 1, "web_pr": 0.5,
        "web_community": 1.2, "web_partner": 0.5, "web_direct": 3, "referral_click": 0.8,
    },
    "nurture": {
        "web_paid_search": 1.5, "web_paid_social": 1.5, "web_display": 0.5, "web_email": 3,
        "web_organic_search": 2, "web_organic_social": 1, "web_review_site": 1, "web_pr": 0.3,
        "web_community": 1, "web_partner": 0.4, "web_direct": 3, "referral_click": 0.3,
        "referral_record": 0.3, "response_marketing": 3, "response_community": 0.8,
        "sales_call": 2.5, "sales_email": 2.5, "sales_meeting": 0.5, "marketing_activity": 0.2,
        "community_meeting": 0.3,
    },
    "opp": {
        "web_paid_search": 0.7, "web_paid_social": 0.5, "web_display": 0.3, "web_email": 1.5,
        "web_organic_search": 1, "web_organic_social": 0.5, "web_review_site": 1, "web_pr": 0.2,
        "web_community": 0.8, "web_partner": 0.3, "web_direct": 4, "referral_click": 0.2,
        "referral_record": 0.2, "response_marketing": 1.5, "response_community": 0.5,
        "sales_call": 3, "sales_email": 3, "sales_meeting": 3, "sales_demo": 2,
        "community_meeting": 0.5, "marketing_activity": 0.2,
    },
}

# A journey's origin (the group that brought the person in) and how the lead is created.
ORIGIN_WEIGHTS = (0.30, 0.42, 0.16, 0.12)  # sales, marketing, community, direct
# creation kinds per origin -> weight. A web kind (or referral_click): a form submit in that session
# creates the lead; a response kind: an imported campaign response creates it; a source kind: a
# lead-source touch (no form/response explains the creation).
CREATION_WEIGHTS: dict[int, dict[str, float]] = {
    SALES: {"source_sales": 0.75, "web_direct": 0.10, "response_marketing": 0.10, "web_organic_search": 0.05},
    MARKETING: {
        "web_paid_search": 0.16, "web_paid_social": 0.10, "web_organic_search": 0.12, "web_email": 0.04,
        "web_review_site": 0.05, "web_display": 0.03, "web_pr": 0.02, "response_marketing": 0.30,
        "source_marketing": 0.10, "web_direct": 0.08,
    },
    COMMUNITY: {
        "source_community": 0.35, "referral_click": 0.20, "web_community": 0.15, "response_community": 0.15,
        "web_partner": 0.10, "web_direct": 0.05,
    },
    DIRECT: {"web_direct": 0.60, "source_direct": 0.40},
}

# ---------------------------------------------------------------------------------------------
# Lead sources: value -> group of the lead-source touch it makes when nothing explains the creation.
# ---------------------------------------------------------------------------------------------
LEAD_SOURCE_GROUP: dict[str, int] = {
    "Outbound": SALES,
    "Cold Call": SALES,
    "Paid Search": MARKETING,
    "Paid Social": MARKETING,
    "Email": MARKETING,
    "Content": MARKETING,
    "Webinar": MARKETING,
    "Event": MARKETING,
    "Partner Referral": COMMUNITY,
    "Customer Referral": COMMUNITY,
    "Employee Referral": COMMUNITY,
    "Word of mouth": COMMUNITY,
    "Community": COMMUNITY,
    "Web": DIRECT,
    "Other": DIRECT,
}
LEAD_SOURCES = tuple(LEAD_SOURCE_GROUP)
LS = {name: i for i, name in enumerate(LEAD_SOURCES)}
# lead-source touch kinds -> the lead_source values they are written as, with weights
SOURCE_KIND_VALUES: dict[str, dict[str, float]] = {
    "source_sales": {"Outbound": 0.6, "Cold Call": 0.4},
    "source_marketing": {"Event": 0.6, "Webinar": 0.2, "Content": 0.2},
    "source_community": {
        "Word of mouth": 0.35, "Partner Referral": 0.25, "Employee Referral": 0.2,
        "Customer Referral": 0.1, "Community": 0.1,
    },
    "source_direct": {"Other": 0.5, "Web": 0.5},
}
# lead_source of a lead created by a form submit in a session of this kind (no touch: explained)
FORM_LEAD_SOURCE: dict[str, str] = {
    "web_paid_search": "Paid Search",
    "web_paid_social": "Paid Social",
    "web_display": "Paid Social",
    "web_email": "Email",
    "web_organic_search": "Web",
    "web_organic_social": "Web",
    "web_review_site": "Web",
    "web_pr": "Web",
    "web_community": "Community",
    "web_partner": "Partner Referral",
    "web_direct": "Web",
    "referral_click": "Partner Referral",
}

# ---------------------------------------------------------------------------------------------
# Campaigns: contract types, group of a response, per-year count at scale 1, budget, member status.
# ---------------------------------------------------------------------------------------------
CAMPAIGN_TYPES: tuple[tuple[str, int, int, float, str, str], ...] = (
    # type, group, per year, budget (USD), responded member status, lead_source of a created lead
    ("Webinar", MARKETING, 24, 3_000, "Attended", "Webinar"),
    ("Email", MARKETING, 24, 500, "Clicked", "Email"),
    ("Event", MARKETING, 10, 25_000, "Attended", "Event"),
    ("Paid Search", MARKETING, 4, 40_000, "Responded", "Paid Search"),
    ("Paid Social", MARKETING, 4, 30_000, "Responded", "Paid Social"),
    ("Content", MARKETING, 8, 8_000, "Downloaded", "Content"),
    ("Partner", COMMUNITY, 4, 5_000, "Responded", "Partner Referral"),
    ("Referral Program", COMMUNITY, 2, 10_000, "Responded", "Customer Referral"),
    ("Community", COMMUNITY, 8, 4_000, "Attended", "Community"),
)
CAMPAIGN_TYPE_NAMES = tuple(c[0] for c in CAMPAIGN_TYPES)
# which campaign types a response kind draws from
RESPONSE_TYPE_WEIGHTS = {
    "response_marketing": {
        "Webinar": 0.35, "Email": 0.15, "Event": 0.2, "Content": 0.2, "Paid Search": 0.05, "Paid Social": 0.05,
    },
    "response_community": {"Community": 0.6, "Partner": 0.25, "Referral Program": 0.15},
}
CAMPAIGN_TOPICS = (
    "Pipeline forecasting",
    "Attribution that sales trusts",
    "Cost per close",
    "Community-led growth",
    "RevOps summit",
    "Partner enablement",
    "Board-ready revenue reporting",
    "Marketing mix basics",
)
CAMPAIGN_STATUSES = ("Planned", "In Progress", "Completed")
NOT_RESPONDED_STATUSES = ("Sent", "Invited", "Registered")

# ---------------------------------------------------------------------------------------------
# Users, tasks and events
# ---------------------------------------------------------------------------------------------
USER_ROLES: tuple[tuple[str, int, int, int | None], ...] = (
    # role, users at scale 1, minimum, group of their activities (None: no touch)
    ("AE", 40, 2, SALES),
    ("SDR", 25, 1, SALES),
    ("Sales Manager", 6, 1, SALES),
    ("Marketing", 15, 1, MARKETING),
    ("Partner Manager", 4, 1, COMMUNITY),
    ("Community Manager", 3, 1, COMMUNITY),
    ("Other", 10, 1, None),
)
ROLE_NAMES = tuple(r[0] for r in USER_ROLES)
R = {name: i for i, name in enumerate(ROLE_NAMES)}

TASK_TYPES = ("Call", "Email", "Meeting", "Demo", "Other")
EVENT_TYPES = ("Meeting", "Demo", "Call", "Other")
TASK_STATUSES = ("Completed", "Not Started", "In Progress", "Waiting on someone else", "Deferred")
SUBJECTS = {
    "Call": ("Call", "Discovery call", "Follow-up call", "Cold call", "Check-in call"),
    "Email": ("Email: intro", "Email: follow-up", "Email: pricing", "Email: case study"),
    "Meeting": ("Meeting: discovery", "Meeting: stakeholder sync", "Meeting: business case"),
    "Demo": ("Demo: platform walkthrough", "Demo: technical deep dive", "Demo: attribution models"),
    "Other": ("Send contract", "Update CRM", "Support ticket follow-up", "Prepare QBR"),
}
COMMUNITY_SUBJECTS = ("Partner intro call", "Customer reference call", "Community meetup follow-up")
MARKETING_SUBJECTS = ("Sent event invite", "Sent case study", "Webinar follow-up email")

# ---------------------------------------------------------------------------------------------
# Opportunities
# ---------------------------------------------------------------------------------------------
OPP_TYPES = ("New Business", "Expansion", "Renewal")
OPP_TYPE_WEIGHTS = (0.72, 0.18, 0.10)
STAGES = ("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
CONTACT_ROLES = ("Decision Maker", "Economic Buyer", "Technical Buyer", "Evaluator", "Influencer", "Business User")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Nurturing", "Closed - Not Converted")

CURRENCIES = ("USD", "EUR", "GBP")
COUNTRIES: tuple[tuple[str, str, str, float], ...] = (
    # billing_country, ISO 3166 code (ip_country), currency, weight
    ("United States", "US", "USD", 0.45),
    ("United Kingdom", "GB", "GBP", 0.12),
    ("Germany", "DE", "EUR", 0.10),
    ("France", "FR", "EUR", 0.07),
    ("Netherlands", "NL", "EUR", 0.05),
    ("Canada", "CA", "USD", 0.08),
    ("Australia", "AU", "USD", 0.04),
    ("Spain", "ES", "EUR", 0.03),
    ("Sweden", "SE", "EUR", 0.03),
    ("Ireland", "IE", "EUR", 0.03),
)
INDUSTRIES = (
    "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail", "Logistics", "Education",
    "Media", "Telecommunications", "Energy",
)
TITLES = (
    "VP Sales", "Head of Marketing", "RevOps Manager", "CFO", "Director of Demand Generation",
    "Sales Operations Analyst", "CEO", "Chief Revenue Officer", "Marketing Operations Manager",
    "Data Engineer", "Head of Partnerships", "Community Lead",
)
FIRST_NAMES = (  # noqa: SIM905 (a word list reads better as one string)
    "Olivia Liam Emma Noah Ava Oliver Sophia Elijah Isabella James Mia William Amelia Benjamin Harper "
    "Lucas Evelyn Henry Abigail Alexander Emily Mason Ella Michael Elizabeth Ethan Camila Daniel Luna "
    "Jacob Sofia Logan Avery Jackson Mila Levi Aria Sebastian Scarlett Mateo Penelope Jack Layla Owen "
    "Chloe Theodore Victoria Aiden Madison Samuel Eleanor Joseph Grace John Nora David Riley Wyatt Zoey "
    "Matthew Hannah Luke Hazel Asher Lily Carter Ellie Julian Violet Grayson Lillian Leo Zoe Jayden "
    "Stella Gabriel Aurora Isaac Natalie Lincoln Emilia Anthony Everly Hudson Leah Dylan Aubrey Ezra "
    "Willow Thomas Addison Charles Lucy Christopher Audrey Jaxon Bella Maverick Nova Josiah Brooklyn "
    "Priya Arjun Mei Hiroshi Fatima Omar Ingrid Lars Chiara Matteo Anika Jonas Elif Mehmet Sven Ana"
).split()
LAST_NAMES = (  # noqa: SIM905 (a word list reads better as one string)
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster "
    "Schmidt Muller Schneider Fischer Weber Dubois Laurent Bernard Jansen DeVries Andersson Larsson "
    "Rossi Russo Fernandez Gonzales OBrien Murphy Kowalski Novak Yamamoto Tanaka Chen Wang Singh Shah"
).split()
COMPANY_WORDS_A = (  # noqa: SIM905 (a word list reads better as one string)
    "Acme Apex Blue Bright Cedar Clear Crest Delta Echo Ember Falcon Fern Granite Harbor Helix Iron "
    "Juniper Keystone Lumen Maple Meridian Nimbus North Oak Orbit Pine Polar Prism Quartz Redwood Ridge "
    "River Sable Silver Solar Spruce Summit Tidal Vertex Willow"
).split()
COMPANY_WORDS_B = (  # noqa: SIM905 (a word list reads better as one string)
    "Analytics Labs Systems Logistics Health Capital Foods Robotics Energy Media Works Networks Cloud "
    "Retail Freight Bio Learning Security Pay Data Motors Studios Foundry Supply Insurance Realty Textiles "
    "Dynamics Metrics Ventures Mobility Partners Software Devices Grid Telecom Pharma Apparel Holdings"
).split()
COMPANY_SUFFIX = ("Inc", "Ltd", "GmbH", "LLC", "Group", "Co", "AG", "BV", "SAS", "Corp")

# ---------------------------------------------------------------------------------------------
# Referral program
# ---------------------------------------------------------------------------------------------
PARTNER_TYPES: tuple[tuple[str, float, float, float], ...] = (
    # partner_type, share of partners, commission_rate low, high
    ("affiliate", 0.40, 0.10, 0.25),
    ("customer_advocate", 0.30, 0.0, 0.05),
    ("reseller", 0.15, 0.15, 0.30),
    ("community", 0.15, 0.0, 0.0),
)
PARTNER_TYPE_NAMES = tuple(p[0] for p in PARTNER_TYPES)
PARTNER_TOUCH_WEIGHT = (4.0, 3.0, 1.0, 2.0)  # how often each type brings a click/record
PARTNER_NAME_WORDS = (  # noqa: SIM905 (a word list reads better as one string)
    "RevOps Collective|Pipeline Weekly|SaaS Growth Club|Demand Gen Digest|B2B Marketing Hub|Sales Hacker Pod|"
    "Funnel Nerds|GTM Guild|Data Driven CMO|Attribution Academy|Growth Loop Media|CRM Consultants|"
    "Northstar Advisory|Quota Crushers|Modern RevOps|Ops Stack Review|Channel Partners EU|Cloud Resellers"
).split("|")
REFERRAL_STATUSES = ("submitted", "qualified", "converted", "rejected")
PAYOUT_TYPES = ("commission", "bounty", "reward")

# ---------------------------------------------------------------------------------------------
# Web: landing pages, sessions' traffic specs, user agents
# ---------------------------------------------------------------------------------------------
PAGES = (
    "/", "/pricing", "/product", "/product/multi-touch-attribution", "/product/cost-per-close", "/customers",
    "/customers/northwind", "/integrations/salesforce", "/integrations/hubspot",
    "/blog/what-is-w-shaped-attribution", "/blog/markov-vs-shapley", "/blog/credit-shift",
    "/blog/community-led-growth", "/docs/getting-started", "/webinars", "/about", "/careers", "/security",
)
BLOG_POSTS = (
    "/blog/what-is-w-shaped-attribution", "/blog/markov-vs-shapley", "/blog/credit-shift",
    "/blog/community-led-growth", "/blog/cost-per-close-benchmarks",
)
FORM_PAGES = ("/demo", "/contact", "/resources/guide", "/webinars/register")

# Traffic specs of a session's first event. Placeholders: {month} (yyyy_mm of the session),
# {partner} (partner slug), {partner_site} (partner website), {code} (referral code), {post} (a blog
# post). kind = the touch kind that uses the spec; channel = what the ground truth calls it.
# columns: kind, channel, utm_source, utm_medium, utm_campaign, utm_content family, utm_term family,
#          referrer_url, landing path, weight within the kind
WEB_SPECS: tuple[tuple, ...] = (
    ("web_paid_search", "paid_search", "google", "cpc", "ps_brand", "ad", "brand", "https://www.google.com/", "/lp/brand", 3),
    ("web_paid_search", "paid_search", "google", "cpc", "ps_generic", "ad", "generic", "https://www.google.com/", "/lp/attribution-software", 3),
    ("web_paid_search", "paid_search", "google", "cpc", "ps_competitor", "ad", "competitor", "https://www.google.com/", "/lp/compare", 1),
    ("web_paid_search", "paid_search", "google", "cpc", "ps_generic_emea", "ad", "generic", "https://www.google.de/", "/lp/attribution-software", 1),
    ("web_paid_search", "paid_search", "bing", "cpc", "ps_brand", "ad", "brand", "https://www.bing.com/", "/lp/brand", 1),
    ("web_paid_social", "paid_social", "linkedin", "paid_social", "li_abm", "ad", None, "https://www.linkedin.com/", "/lp/abm", 3),
    ("web_paid_social", "paid_social", "linkedin", "paid_social", "li_content_guide", "ad", None, "https://www.linkedin.com/", "/resources/guide", 2),
    ("web_paid_social", "paid_social", "linkedin", "paid_social", "li_abm_uk", "ad", None, "https://www.linkedin.com/", "/lp/abm", 1),
    ("web_paid_social", "paid_social", "facebook", "paid_social", "fb_retargeting", "ad", None, "https://l.facebook.com/", "/lp/demo", 1),
    ("web_display", "display", "google", "display", "gdn_retargeting", "ad", None, None, "/lp/demo", 1),
    ("web_email", "email", "hubspot", "email", "newsletter_{month}", "cta", None, None, "{post}", 3),
    ("web_email", "email", "hubspot", "email", "nurture_trial", "cta", None, None, "/pricing", 2),
    ("web_email", "email", "hubspot", "email", "webinar_invite", "cta", None, None, "/webinars", 1),
    ("web_organic_search", "organic_search", None, None, None, None, None, "https://www.google.com/", "{post}", 6),
    ("web_organic_search", "organic_search", None, None, None, None, None, "https://www.google.co.uk/", "{post}", 1),
    ("web_organic_search", "organic_search", None, None, None, None, None, "https://www.bing.com/", "/", 1.5),
    ("web_organic_search", "organic_search", None, None, None, None, None, "https://duckduckgo.com/", "/", 1),
    ("web_organic_social", "organic_social", None, None, None, None, None, "https://www.linkedin.com/", "{post}", 3),
    ("web_organic_social", "organic_social", None, None, None, None, None, "https://t.co/", "{post}", 1),
    ("web_organic_social", "organic_social", "linkedin", "social", "brand_posts", None, None, "https://www.linkedin.com/", "/", 2),
    ("web_organic_social", "organic_social", "twitter", "social", "brand_posts", None, None, "https://t.co/", "/", 1),
    ("web_organic_social", "organic_social", None, None, None, None, None, "https://www.youtube.com/", "/product", 0.5),
    ("web_review_site", "review_sites", None, None, None, None, None, "https://www.g2.com/products/brightwave/reviews", "/", 2),
    ("web_review_site", "review_sites", "g2", "review", "g2_profile", None, None, "https://www.g2.com/", "/pricing", 1),
    ("web_review_site", "review_sites", None, None, None, None, None, "https://www.capterra.com/p/brightwave/", "/", 1),
    ("web_review_site", "review_sites", None, None, None, None, None, "https://www.trustradius.com/products/brightwave", "/", 0.5),
    ("web_pr", "pr", None, None, None, None, None, "https://techcrunch.com/2026/05/12/brightwave-raises/", "/", 1),
    ("web_pr", "pr", None, None, None, None, None, "https://www.forbes.com/sites/revenue/", "/", 0.5),
    ("web_pr", "pr", None, None, None, None, None, "https://venturebeat.com/ai/attribution/", "/", 0.5),
    ("web_community", "community", None, None, None, None, None, "https://www.reddit.com/r/revops/", "{post}", 2),
    ("web_community", "community", None, None, None, None, None, "https://news.ycombinator.com/", "/", 1),
    ("web_community", "community", None, None, None, None, None, "https://community.brightwave.example/t/attribution-tips", "/docs/getting-started", 2),
    ("web_community", "community", "slack", "community", "revops_slack", None, None, None, "/", 1.5),
    ("web_community", "community", "meetup", "community", "meetup_revops_nyc", None, None, None, "/", 0.5),
    ("web_community", "community", "discord", "community", "builders_discord", None, None, None, "/docs/getting-started", 0.5),
    ("web_community", "community", None, None, None, None, None, "https://stackoverflow.com/questions/tagged/attribution", "/docs/getting-started", 0.5),
    ("web_partner", "partner", "partner_blog", "partner", "{partner}", None, None, "{partner_site}/blog/", "/", 2),
    ("web_partner", "partner", "partner_newsletter", "partner", "{partner}", None, None, None, "/", 1),
    ("web_direct", "direct", None, None, None, None, None, None, "/", 5),
    ("web_direct", "direct", None, None, None, None, None, None, "/login", 2),
    ("web_direct", "direct", None, None, None, None, None, None, "/pricing", 1),
    ("web_direct", "direct", None, None, None, None, None, "https://www.brightwave.example/", "/pricing", 1),
    # sessions opened by a referral click (they are the click's touch, not a touch of their own)
    ("click_affiliate", "referral", "partnerstack", "affiliate", "{partner}", None, None, "{partner_site}/", "/?ref={code}", 1),
    ("click_advocate", "referral", None, None, None, None, None, "https://www.linkedin.com/", "/?ref={code}", 1),
    ("click_advocate", "referral", None, None, None, None, None, None, "/?ref={code}", 1),
    ("click_community", "referral", None, None, None, None, None, "https://community.brightwave.example/", "/?ref={code}", 1),
    # background only (never in a journey): links from sites no mapping knows
    ("web_unknown", "unknown_referrer", None, None, None, None, None, "https://some-blog.example/2026/tools", "/", 1),
    ("web_unknown", "unknown_referrer", None, None, None, None, None, "https://saas-list.example/attribution", "/", 1),
)
CLICK_SPEC_KIND = {
    "affiliate": "click_affiliate",
    "reseller": "click_affiliate",
    "customer_advocate": "click_advocate",
    "community": "click_community",
}
UTM_CONTENT = {
    "ad": tuple(f"ad_{i:02d}" for i in range(1, 13)),
    "cta": ("cta_header", "cta_footer", "cta_button"),
}
UTM_TERM = {
    "brand": ("brightwave", "brightwave pricing", "brightwave login"),
    "generic": ("b2b attribution software", "multi touch attribution", "marketing attribution tool", "revenue attribution"),
    "competitor": ("hubspot attribution alternative", "bizible alternative", "dreamdata alternative"),
}
# background (anonymous, never identified) traffic mix by kind
BACKGROUND_WEIGHTS = {
    "web_paid_search": 2.5, "web_paid_social": 1.5, "web_display": 1.5, "web_email": 0.5,
    "web_organic_search": 5, "web_organic_social": 1.5, "web_review_site": 0.7, "web_pr": 0.5,
    "web_community": 1.0, "web_partner": 0.3, "web_direct": 4, "web_unknown": 0.4,
}

BROWSER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
)
BROWSER_WEIGHTS = (0.30, 0.14, 0.18, 0.12, 0.07, 0.06, 0.07, 0.03, 0.03)
# every bot agent contains one of: bot crawl spider slurp headless python-requests curl wget monitor preview
BOT_AGENTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Wget/1.21.4",
    "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/) monitor",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots) preview",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Screaming Frog SEO Spider/20.2",
    "Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/) crawler",
    "AdsBot-Google (+http://www.google.com/adsbot.html)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
)
BOT_PATTERNS = ("bot", "crawl", "spider", "slurp", "headless", "python-requests", "curl", "wget", "monitor", "preview")
DRIFT_COLUMN = "context_library"
DRIFT_VALUES = ("analytics.js 4.1.0", "analytics-next 1.72.0", "analytics-ios 4.1.8")

# ---------------------------------------------------------------------------------------------
# Costs
# ---------------------------------------------------------------------------------------------
# daily marketing spend rows at scale 1: channel, utm_source, utm_campaign, campaign type linked
# (campaign_id = the active CRM campaign of that type, or empty), currency, spend per day
SPEND_LINES: tuple[tuple[str, str | None, str | None, str | None, str, float], ...] = (
    ("paid_search", "google", "ps_brand", "Paid Search", "USD", 350.0),
    ("paid_search", "google", "ps_generic", "Paid Search", "USD", 900.0),
    ("paid_search", "google", "ps_competitor", None, "USD", 250.0),
    ("paid_search", "google", "ps_generic_emea", None, "EUR", 300.0),
    ("paid_search", "bing", "ps_brand", None, "USD", 80.0),
    ("paid_social", "linkedin", "li_abm", "Paid Social", "USD", 600.0),
    ("paid_social", "linkedin", "li_content_guide", "Paid Social", "USD", 300.0),
    ("paid_social", "linkedin", "li_abm_uk", None, "GBP", 150.0),
    ("paid_social", "facebook", "fb_retargeting", None, "USD", 120.0),
    ("display", "google", "gdn_retargeting", None, "USD", 150.0),
    ("content_syndication", "techtarget", "syndication", None, "USD", 200.0),
    ("review_sites", "g2", "g2_profile", None, "USD", 100.0),
)
SALES_COST_TYPES = ("salary", "commission", "tooling", "travel")
PROGRAMS = (("community", 15_000.0), ("product", 250_000.0), ("partner_program", 12_000.0), ("brand", 20_000.0))
FX_BASE = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27}

# fmt: on
