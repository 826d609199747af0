//! The search benchmark's helper, driven by `bench/search.sh` (see bench/README.md).
//!
//! * `generate`: five fictional clinics (one provision file, written below)
//!   and N published posts spread evenly across them, stored with
//!   `posts::store::save` — the path the importer uses, so every post also
//!   gets its `search_change` row. The text comes from this file's own word
//!   lists and sentence templates; a fixed seed makes every run identical.
//! * `query`: opens the index the way `clinicpress serve` does
//!   (`SearchService::open`), resolves the clinic from its host name, and
//!   times the fixed queries of `bench/queries.txt` in-process, both on the
//!   index alone and through the `SearchPort` the page and the JSON API call.
//! * `urls`: the same queries as URL query strings, one per line, for wrk.
//!
//! Every clinic, person, address, phone number and e-mail address below is
//! fictional.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use app::model::Site;
use app::ports::SearchPort;
use app::search::model::{MatchMode, PER_PAGE, SearchQuery, SortOrder};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use clinicpress::clinics::{provision, tenancy};
use clinicpress::entities::PostStatus;
use clinicpress::posts::front_matter::PostDraft;
use clinicpress::posts::store;
use clinicpress::search::index::{Request, WRITER_HEAP_BYTES, WRITER_THREADS};
use clinicpress::search::port::{SqlSearch, filter_facets};
use clinicpress::search::query::{self, Options, Scope, Typos};
use clinicpress::search::service::{SearchService, StartState};
use clinicpress::slugs::slugify;
use sea_orm::TransactionTrait;
use tantivy::collector::{Count, TopDocs};

#[derive(Parser)]
#[command(name = "search_bench", about = "Clinicpress search benchmark helper (see bench/README.md)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the five clinics and N published posts in an empty database.
    Generate {
        #[arg(long)]
        database_url: String,
        /// How many posts, spread evenly over the five clinics.
        #[arg(long)]
        posts: usize,
        /// Posts per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Seed of the text generator (the same seed gives the same posts).
        #[arg(long, default_value_t = 20_240_611)]
        seed: u64,
    },
    /// Time the queries in-process against the index in DATA_DIR/search.
    Query {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "bench/queries.txt")]
        queries: PathBuf,
        /// The clinic's host name (as in a Host header).
        #[arg(long, default_value = "c1.localhost")]
        host: String,
        /// Timed runs of each query (after one untimed run).
        #[arg(long, default_value_t = 20)]
        reps: usize,
        /// Write the per-query Markdown table here.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Print each query as a URL query string (`q=…&tag=…`), one per line.
    Urls {
        #[arg(long, default_value = "bench/queries.txt")]
        queries: PathBuf,
    },
    /// Diagnostic: time reading every published post from the database the
    /// way a rebuild does (batches of 500), without indexing anything.
    ReadPosts {
        #[arg(long)]
        database_url: String,
    },
    /// Diagnostic: merge the index in DATA_DIR/search into one segment, in
    /// place (the commit payload is kept), to compare query latency with
    /// the segments a reindex leaves. `clinicpress reindex` replaces it.
    MergeSegments {
        #[arg(long)]
        data_dir: PathBuf,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate { database_url, posts, batch, seed } => generate(&database_url, posts, batch, seed).await,
        Command::Query { data_dir, database_url, queries, host, reps, report } => {
            run_queries(&data_dir, &database_url, &queries, &host, reps, report.as_deref()).await
        }
        Command::Urls { queries } => {
            for q in read_queries(&queries)? {
                println!("{}", q.query_string());
            }
            Ok(())
        }
        Command::ReadPosts { database_url } => read_posts(&database_url).await,
        Command::MergeSegments { data_dir } => merge_segments(&data_dir),
    }
}

// ---------------------------------------------------------------------------
// A small deterministic random source (SplitMix64): no extra dependency, and
// the same seed gives the same corpus on every machine.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut r = Rng(seed);
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// One entry, uniformly. The lists hold `&str`s and small tuples, so
    /// entries are returned by value (`pick(TOWNS)` is a `&str`).
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    /// One entry of a list of structs, uniformly.
    fn pick_ref<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    /// Earlier entries are picked more often (roughly Zipf-like), as some
    /// conditions and words are far more common than others in real writing.
    fn pick_skewed<T: Copy>(&mut self, xs: &[T]) -> T {
        let u = self.unit();
        xs[((u * u) * xs.len() as f64) as usize % xs.len()]
    }
}

// ---------------------------------------------------------------------------
// Word lists. Conditions carry the index of their usual category.

struct Specialty {
    pro: &'static str,
    pros: &'static str,
    patients: &'static str,
    other_pros: &'static str,
    categories: &'static [&'static str],
    conditions: &'static [(&'static str, usize)],
    treatments: &'static [&'static str],
    medicines: &'static [&'static str],
    symptoms: &'static [&'static str],
    parts: &'static [&'static str],
    activities: &'static [&'static str],
    tags: &'static [&'static str],
    sentences: &'static [&'static str],
    tips: &'static [&'static str],
}

const PAIN: Specialty = Specialty {
    pro: "pain specialist",
    pros: "pain specialists",
    patients: "patients",
    other_pros: "physiotherapists",
    categories: &[
        "Back and Neck Pain",
        "Headache and Migraine",
        "Nerve Pain",
        "Procedures",
        "Medications",
        "Living Well with Pain",
    ],
    conditions: &[
        ("lower back pain", 0),
        ("sciatica", 0),
        ("neck pain", 0),
        ("migraine", 1),
        ("knee osteoarthritis", 5),
        ("peripheral neuropathy", 2),
        ("fibromyalgia", 5),
        ("spinal stenosis", 0),
        ("diabetic neuropathy", 2),
        ("chronic pelvic pain", 5),
        ("tension-type headache", 1),
        ("whiplash", 0),
        ("shingles pain", 2),
        ("post-surgical pain", 3),
        ("arthritis of the hip", 5),
        ("trigeminal neuralgia", 2),
        ("occipital neuralgia", 1),
        ("complex regional pain syndrome", 2),
        ("cluster headache", 1),
        ("sacroiliac joint pain", 0),
    ],
    treatments: &[
        "epidural steroid injection",
        "physical therapy",
        "radiofrequency ablation",
        "nerve block treatment",
        "spinal cord stimulation",
        "trigger point injection",
        "acupuncture",
        "ketamine infusion therapy",
        "medial branch block testing",
        "cognitive behavioural therapy",
        "platelet-rich plasma therapy",
        "a structured pacing plan",
        "pain psychology",
        "botulinum toxin injection",
    ],
    medicines: &[
        "gabapentin",
        "ibuprofen",
        "naproxen",
        "duloxetine",
        "pregabalin",
        "acetaminophen",
        "amitriptyline",
        "topical diclofenac",
        "lidocaine patches",
        "nortriptyline",
        "celecoxib",
        "tramadol",
        "cyclobenzaprine",
        "buprenorphine",
    ],
    symptoms: &[
        "burning pain",
        "tingling",
        "numbness",
        "morning stiffness",
        "pain shooting down the leg",
        "muscle spasms",
        "throbbing headaches",
        "pins and needles",
        "an ache that builds through the evening",
        "sensitivity to light",
        "pain that wakes you at night",
    ],
    parts: &["lower back", "neck", "shoulders", "knees", "hips", "feet", "hands", "jaw"],
    activities: &[
        "walking",
        "swimming",
        "gentle yoga",
        "tai chi",
        "stationary cycling",
        "stretching",
        "gardening",
        "water aerobics",
    ],
    tags: &[
        "injections",
        "medications",
        "sleep",
        "exercise",
        "nerve pain",
        "sciatica",
        "headache",
        "arthritis",
        "opioid safety",
        "ketamine",
        "mental health",
        "spine",
    ],
    sentences: &[
        "Nerve pain often feels different from an ache: people describe it as burning, electric, or like pins and needles.",
        "An opioid is sometimes part of a short plan after surgery, but long-term use carries risks that usually outweigh the benefits.",
        "Image-guided injections use X-ray or ultrasound so the medicine reaches exactly the right spot.",
        "Ketamine infusions are given in a monitored room, and you will need someone to drive you home afterwards.",
        "Pacing means spreading activity through the day instead of doing everything on a good day and paying for it later.",
        "Back pain that follows a fall, or comes with a fever, is different and should be checked promptly.",
        "Flare-ups happen even with a good plan; a written flare-up plan makes them far less frightening.",
        "Many people with chronic pain also live with low mood or anxiety, and treating both works better than treating either alone.",
        "A spinal cord stimulator trial lasts about a week, so you can see whether it helps before deciding on a permanent device.",
        "Knee replacement or hip replacement may eventually be the right step, and we help you judge the timing.",
        "Regular exercise is one of the few treatments for chronic pain that helps almost everyone, as long as it starts gently.",
        "Pain medication works best as one part of a plan that also includes movement, sleep and support.",
    ],
    tips: &[
        "Warm up with five minutes of gentle walking before stretching.",
        "Use heat for stiffness and a cold pack for a fresh flare-up.",
        "Change position at least every thirty minutes when you sit at a desk.",
        "Plan a lighter day after a busy one.",
    ],
};

const DERMATOLOGY: Specialty = Specialty {
    pro: "dermatologist",
    pros: "dermatologists",
    patients: "patients",
    other_pros: "allergists",
    categories: &[
        "Skin Cancer",
        "Eczema and Allergies",
        "Acne and Rosacea",
        "Procedures",
        "Everyday Skin Care",
        "Hair and Nails",
    ],
    conditions: &[
        ("eczema", 1),
        ("acne", 2),
        ("psoriasis", 1),
        ("melanoma", 0),
        ("rosacea", 2),
        ("basal cell carcinoma", 0),
        ("contact dermatitis", 1),
        ("hives", 1),
        ("actinic keratosis", 0),
        ("hair loss", 5),
        ("seborrheic dermatitis", 5),
        ("warts", 4),
        ("vitiligo", 4),
        ("hyperhidrosis", 4),
        ("nail fungus", 5),
        ("sunburn", 4),
        ("adult acne", 2),
    ],
    treatments: &[
        "a full-body skin check",
        "cryotherapy",
        "patch testing",
        "phototherapy",
        "Mohs surgery",
        "a skin biopsy",
        "laser treatment",
        "chemical peels",
        "excision surgery",
        "wet wrap therapy",
        "microneedling",
    ],
    medicines: &[
        "hydrocortisone cream",
        "benzoyl peroxide",
        "tretinoin",
        "isotretinoin",
        "antihistamines",
        "methotrexate",
        "dupilumab",
        "azelaic acid",
        "minoxidil",
        "calcipotriol",
        "doxycycline",
        "tacrolimus ointment",
        "broad-spectrum sunscreen",
    ],
    symptoms: &[
        "itching",
        "redness",
        "dry patches",
        "scaling",
        "blisters",
        "flaking",
        "a mole that changes shape",
        "oily skin",
        "cracked skin",
        "thinning hair",
    ],
    parts: &["face", "scalp", "hands", "elbows", "back", "eyelids", "feet", "nails"],
    activities: &["gardening", "swimming", "hiking", "outdoor sports", "beach days", "skiing"],
    tags: &[
        "sunscreen",
        "skin checks",
        "eczema",
        "acne",
        "psoriasis",
        "itching",
        "children's skin",
        "moles",
        "hair loss",
        "allergies",
        "skin cancer",
        "laser",
    ],
    sentences: &[
        "Use a broad-spectrum sunscreen of SPF 30 or higher every day, and put more on after swimming or sweating.",
        "The ABCDE rule (asymmetry, border, colour, diameter, evolving) is a useful way to look at your own moles.",
        "Moisturise within three minutes of a bath or shower, while the skin is still slightly damp.",
        "Patch testing uses small stickers on your back for 48 hours, so avoid showers that soak the area.",
        "Fragrance-free products are gentler on sensitive skin, and they often cost less.",
        "A skin biopsy takes a few minutes under local anaesthetic and leaves a small mark that fades.",
        "Isotretinoin needs monthly check-ins and, for some patients, monthly blood tests.",
        "Scratching feeds the itch; cool compresses and short nails help break the cycle.",
        "Most moles are harmless, but a new or changing one deserves a look.",
        "Hair loss after an illness or a stressful time often recovers within six to nine months.",
    ],
    tips: &[
        "Choose a fragrance-free moisturiser and use it twice a day.",
        "Check your skin once a month in good light, with a mirror for your back.",
        "Wear a hat and seek shade between eleven and three.",
        "Take lukewarm rather than hot showers.",
    ],
};

const PHYSIOTHERAPY: Specialty = Specialty {
    pro: "physiotherapist",
    pros: "physiotherapists",
    patients: "clients",
    other_pros: "sports doctors",
    categories: &[
        "Sports Injuries",
        "After Surgery",
        "Healthy Ageing",
        "Exercise Guides",
        "Work and Posture",
        "Balance and Dizziness",
    ],
    conditions: &[
        ("ankle sprain", 0),
        ("knee replacement", 1),
        ("runner's knee", 0),
        ("frozen shoulder", 4),
        ("tennis elbow", 0),
        ("rotator cuff tear", 1),
        ("hip replacement", 1),
        ("plantar fasciitis", 0),
        ("balance problems", 5),
        ("osteoporosis", 2),
        ("ACL reconstruction", 1),
        ("Achilles tendinopathy", 0),
        ("vertigo", 5),
        ("hamstring strain", 0),
        ("carpal tunnel syndrome", 4),
        ("desk-related neck pain", 4),
        ("stroke recovery", 2),
        ("shin splints", 0),
    ],
    treatments: &[
        "a home exercise programme",
        "manual therapy",
        "strength training",
        "dry needling",
        "hydrotherapy",
        "vestibular rehabilitation",
        "kinesiology taping",
        "gait retraining",
        "shockwave therapy",
        "an ergonomic assessment",
        "Pilates-based rehabilitation",
        "sports massage",
    ],
    medicines: &[
        "ibuprofen gel",
        "paracetamol",
        "naproxen",
        "diclofenac gel",
        "vitamin D supplements",
        "calcium supplements",
    ],
    symptoms: &[
        "swelling",
        "stiffness after sitting",
        "clicking",
        "loss of range of motion",
        "weakness",
        "dizziness",
        "a knee that gives way",
        "pain on the stairs",
        "heel pain first thing in the morning",
    ],
    parts: &["knee", "ankle", "shoulder", "hip", "elbow", "wrist", "heel", "neck"],
    activities: &[
        "running",
        "cycling",
        "swimming",
        "Pilates",
        "strength training",
        "walking",
        "tennis",
        "football",
        "golf",
        "dancing",
    ],
    tags: &[
        "running",
        "sports injuries",
        "exercise",
        "rehabilitation",
        "posture",
        "balance",
        "strength",
        "knees",
        "shoulders",
        "surgery recovery",
        "older adults",
        "work injuries",
    ],
    sentences: &[
        "Resistance bands are cheap, light and enough for most of the exercises in a home programme.",
        "Load a sore tendon gradually: a little more each week, and ease off for a few days if pain lasts into the next morning.",
        "A foam roller can ease tight muscles, but it is a warm-up aid rather than a treatment on its own.",
        "Balance exercises are best done beside a kitchen counter, so there is always something to hold.",
        "After knee replacement, bending the knee to ninety degrees in the first few weeks is an important milestone.",
        "We test strength on both sides, because going back to sport too early is the commonest cause of a second injury.",
        "Ice helps with pain in the first day or two; after that, movement usually helps more.",
        "Dry needling places fine needles in tight bands of muscle and can feel like a brief cramp.",
        "A desk with the screen at eye level and feet flat on the floor takes strain off the neck.",
        "Vestibular exercises may make you a little dizzy at first; that is part of how they work.",
        "A knee brace can give confidence on uneven ground while the muscles around the joint get stronger.",
    ],
    tips: &[
        "Do your exercises at the same time each day so they become a habit.",
        "Stop an exercise that causes sharp pain and tell us at your next visit.",
        "Wear supportive shoes for walks, even short ones.",
        "Keep a note of sets and repetitions so you can see your progress.",
    ],
};

const DENTISTRY: Specialty = Specialty {
    pro: "dentist",
    pros: "dentists",
    patients: "patients",
    other_pros: "hygienists",
    categories: &[
        "Preventive Care",
        "Children's Teeth",
        "Cosmetic Dentistry",
        "Gum Health",
        "Dental Emergencies",
        "Oral Surgery",
    ],
    conditions: &[
        ("tooth decay", 0),
        ("gum disease", 3),
        ("sensitive teeth", 0),
        ("gingivitis", 3),
        ("tooth grinding", 0),
        ("impacted wisdom teeth", 5),
        ("bad breath", 3),
        ("a cracked tooth", 4),
        ("dental anxiety", 0),
        ("dry mouth", 0),
        ("jaw pain", 4),
        ("tooth erosion", 0),
        ("mouth ulcers", 3),
        ("baby bottle tooth decay", 1),
        ("crooked teeth", 2),
        ("stained teeth", 2),
        ("a knocked-out tooth", 4),
    ],
    treatments: &[
        "a scale and polish",
        "fillings",
        "root canal treatment",
        "dental implants",
        "crowns",
        "teeth whitening",
        "clear aligners",
        "fissure sealants",
        "fluoride varnish",
        "a night guard",
        "tooth extraction",
        "dentures",
        "sedation dentistry",
        "a dental bridge",
    ],
    medicines: &[
        "fluoride toothpaste",
        "chlorhexidine mouthwash",
        "desensitising toothpaste",
        "ibuprofen",
        "amoxicillin",
        "interdental brushes",
        "sugar-free gum",
        "local anaesthetic",
    ],
    symptoms: &[
        "bleeding gums",
        "sensitivity to cold",
        "a dull ache",
        "a sharp pain when biting",
        "swelling",
        "a bad taste",
        "loose teeth",
        "clicking in the jaw",
        "headaches on waking",
    ],
    parts: &["gums", "back teeth", "front teeth", "jaw", "tongue", "lower jaw"],
    activities: &["contact sports", "cycling", "swimming", "running", "team sports"],
    tags: &[
        "children's teeth",
        "fluoride",
        "gum health",
        "check-ups",
        "whitening",
        "implants",
        "braces",
        "dental anxiety",
        "emergencies",
        "oral hygiene",
        "wisdom teeth",
        "sugar",
    ],
    sentences: &[
        "Brush for two minutes twice a day with a fluoride toothpaste, and spit rather than rinse afterwards.",
        "Cleaning between the teeth once a day reaches the surfaces a toothbrush misses.",
        "Sugary drinks sipped slowly through the day do more harm than the same drink with a meal.",
        "If a tooth is knocked out, hold it by the crown, rinse it briefly, keep it in milk and call us at once.",
        "A night guard protects your teeth from grinding while you sleep.",
        "Bleeding gums are a sign of inflammation, not a reason to stop brushing.",
        "Children should have their first dental visit by their first birthday.",
        "With local anaesthetic, most fillings and root canals feel no worse than a long clean.",
        "Smoking and vaping both raise the risk of gum disease and slow healing.",
        "We offer longer appointments and a quiet room for anyone who feels anxious about the dentist.",
        "A mouthguard made to fit your teeth protects them during contact sports far better than a shop-bought one.",
    ],
    tips: &[
        "Replace your toothbrush every three months.",
        "Keep sweets to mealtimes rather than grazing.",
        "Drink water after coffee, tea or juice.",
        "Book a check-up every six to twelve months.",
    ],
};

const PAEDIATRICS: Specialty = Specialty {
    pro: "paediatrician",
    pros: "paediatricians",
    patients: "families",
    other_pros: "school nurses",
    categories: &[
        "Newborns",
        "Vaccines",
        "Common Illnesses",
        "Growth and Development",
        "Teens",
        "Allergies and Asthma",
    ],
    conditions: &[
        ("fever", 2),
        ("ear infections", 2),
        ("croup", 2),
        ("childhood asthma", 5),
        ("bronchiolitis", 2),
        ("colic", 0),
        ("chickenpox", 2),
        ("food allergy", 5),
        ("hand, foot and mouth disease", 2),
        ("reflux in babies", 0),
        ("ADHD", 3),
        ("bedwetting", 3),
        ("head lice", 2),
        ("RSV", 2),
        ("strep throat", 2),
        ("growing pains", 3),
        ("constipation", 2),
        ("teen acne", 4),
        ("anxiety in teenagers", 4),
        ("newborn jaundice", 0),
    ],
    treatments: &[
        "vaccination",
        "a well-child visit",
        "developmental screening",
        "a hearing test",
        "inhaler and spacer training",
        "allergy testing",
        "growth monitoring",
        "a gentle sleep routine",
        "oral rehydration",
        "the school-age booster",
    ],
    medicines: &[
        "paracetamol",
        "ibuprofen syrup",
        "amoxicillin",
        "a salbutamol inhaler",
        "saline nose drops",
        "oral rehydration solution",
        "antihistamine syrup",
        "vitamin D drops",
        "iron supplements",
    ],
    symptoms: &[
        "a high temperature",
        "a barking cough",
        "wheezing",
        "a rash",
        "poor feeding",
        "ear pulling",
        "tummy pain",
        "trouble sleeping",
        "irritability",
        "a runny nose",
    ],
    parts: &["ears", "chest", "tummy", "throat", "skin", "nose"],
    activities: &[
        "outdoor play",
        "swimming lessons",
        "football practice",
        "bike riding",
        "school sports",
        "dance classes",
    ],
    tags: &[
        "fever",
        "vaccines",
        "newborns",
        "sleep",
        "asthma",
        "allergies",
        "school",
        "teens",
        "nutrition",
        "development",
        "infections",
        "parenting",
    ],
    sentences: &[
        "A fever is the body's way of fighting infection; how your child is behaving matters more than the number on the thermometer.",
        "Babies under three months with a temperature of 38 degrees or more should be seen the same day.",
        "Vaccines are given on a schedule designed to protect children when they are most vulnerable.",
        "Offer small, frequent sips of fluid when your child is unwell, and watch for fewer wet nappies.",
        "A barking cough that is worse at night is typical of croup, and cool night air often helps.",
        "Use a spacer with every inhaler; it gets far more medicine into the lungs.",
        "Head lice are common in primary school and have nothing to do with cleanliness.",
        "Teenagers can spend part of their visit with us on their own, which many find easier.",
        "Growth is checked at every well-child visit and plotted on a chart, so trends are easy to see.",
        "Never give aspirin to children unless a doctor has specifically advised it.",
        "Children with a fever who are drowsy, floppy or hard to wake need to be seen urgently.",
    ],
    tips: &[
        "Keep a thermometer and children's paracetamol at home, and check the dose by weight.",
        "Write down when symptoms started and how much your child has been drinking.",
        "Bring the red book or vaccination record to every visit.",
        "Keep bedtime and wake-up time the same on school days and weekends.",
    ],
};

const SPECIALTIES: [&Specialty; 5] = [&PAIN, &DERMATOLOGY, &PHYSIOTHERAPY, &DENTISTRY, &PAEDIATRICS];

/// Tags every clinic uses now and then.
const GENERAL_TAGS: &[&str] = &["first visit", "insurance", "research", "patient stories", "clinic news", "telehealth"];

const TITLES: &[&str] = &[
    "{Cond}: what to expect at your first visit",
    "How {treat} can help with {cond}",
    "Five questions to ask before starting {med}",
    "Living with {cond}: a practical guide",
    "{Treat} explained: benefits, risks and recovery",
    "What our {pros} wish everyone knew about {cond}",
    "{Cond} in {season}: tips from our {office} team",
    "Is it {cond}? Signs it is time to see a {pro}",
    "{Med} and {cond}: common questions answered",
    "Getting ready for {treat} at {office}",
    "Myths and facts about {cond}",
    "When {sym} is more than a nuisance",
    "New at {office}: {treat}",
    "{Cond} and sleep: breaking the cycle",
    "Talking to your family about {cond}",
    "How we decide whether {treat} is right for you",
    "What the research says about {med} for {cond}",
    "Back to {activity} after {cond}",
    "{Cond}: causes, symptoms and treatment",
    "A {pro}'s guide to {cond}",
];

const INTROS: &[&str] = &[
    "If you live with {cond}, you already know how much it can shape an ordinary day.",
    "{Cond} is something our {pros} talk about with {patients} nearly every day.",
    "This article explains {cond} in plain language: what it is, what can help and when to call us.",
    "Questions about {treat} come up often at our {office} office, so we have gathered the answers in one place.",
    "{Author}, who sees {patients} at our {office} office, answers the questions we hear most about {cond}.",
    "Few things are as tiring as {sym} that will not settle, and {cond} is one of the commonest reasons for it.",
];

const HEADINGS: &[&str] = &[
    "What is {cond}?",
    "Common signs and symptoms",
    "What causes {cond}",
    "How we make the diagnosis",
    "Treatment options",
    "How {treat} works",
    "What to expect on the day",
    "Recovery and follow-up",
    "What to know about {med}",
    "Everyday tips",
    "Questions we hear often",
    "Before your appointment",
    "Insurance and costs",
    "A patient's story",
    "Getting back to {activity}",
];

const CLOSING_HEADINGS: &[&str] = &["When to call us", "The bottom line", "Next steps"];

const SENTENCES: &[&str] = &[
    "{Cond} is one of the most common reasons people book a first appointment with our {pros}.",
    "Many people first notice {sym} in the {part} and put off asking for help for months.",
    "Our team at {office} sees {patients} with {cond} every week, and no two stories are quite the same.",
    "{Treat} is usually considered after simpler steps, such as rest, gentle movement and over-the-counter remedies, have been given a fair try.",
    "If you already take {med}, let us know about every other prescription, supplement and herbal remedy you use.",
    "Side effects of {med} tend to be mild, but some people feel drowsy, dizzy or queasy during the first week.",
    "Most people are back to light activity within a day or two of {treat}.",
    "Keep a short diary of when {sym} starts, how long it lasts and what seems to ease it.",
    "Please bring a list of your current medicines, any recent scans or test results and your insurance card to your first visit.",
    "Insurance plans differ a great deal, so our front desk checks your coverage before anything is scheduled.",
    "Call us the same day if you notice a fever, new weakness, or {sym} that keeps getting worse.",
    "Research over the last ten years has changed the way {pros} think about {cond}.",
    "{Author} often reminds {patients} that small, steady changes matter more than dramatic ones.",
    "Twenty minutes of {activity} most days is a sensible place to start.",
    "In {season}, {patients} in {town} often tell us that {sym} is harder to ignore.",
    "{Name}, who lives in {town}, came to see us after months of {sym} and poor sleep.",
    "Surgery is rarely the first answer, and we talk through every alternative with you before it is considered.",
    "Steroid medicines can help for a while, but they are not right for everyone, particularly people living with diabetes.",
    "Children and older adults may need a different dose, so check with a {pro} before changing anything.",
    "After {treat} you may feel sore or tired for a day or so; that is normal and usually settles quickly.",
    "We explain the benefits, the risks and the alternatives, and you can take as long as you need to decide.",
    "Good sleep is one of the most overlooked parts of getting better from {cond}.",
    "With the right plan, running, cycling and swimming are possible for most people with {cond}.",
    "Our {office} office keeps evening appointments on {weekday}s for people who cannot easily leave work.",
    "Follow-up visits are usually booked {range} weeks after {treat}.",
    "There is no single test for {cond}; the diagnosis comes from your history, an examination and sometimes imaging.",
    "It helps to write down your questions before the visit, because it is easy to forget them once you are in the room.",
    "A referral is not always needed, but some insurance plans ask for one.",
    "We will never rush you into {treat}; it is one option among several.",
    "Some {patients} notice a difference after the first session, while others need {range} visits before things change.",
    "Stress does not cause {cond}, but it can make {sym} feel much worse.",
    "Our nurses can answer most questions about {med} by phone, so do not hesitate to call.",
    "If {sym} wakes you at night or comes with weight loss you cannot explain, mention it at your visit.",
    "Every plan we write is reviewed at the next appointment and changed if it is not working.",
    "{Cond} often improves on its own, but the right support can make the weeks in between far easier.",
    "We send a written summary after each visit, so you and your family doctor know the plan.",
    "Parking at our {office} office is free, and the entrance has step-free access.",
    "Do not stop {med} suddenly; we will help you taper it safely if it is no longer needed.",
    "Your first appointment usually lasts about {minutes} minutes.",
    "{Treat} is covered by many insurance plans when it is medically necessary, though the details vary.",
    "We also work closely with {opros} when a shared plan makes sense.",
    "Warning signs such as sudden numbness, loss of bladder control or a high fever need urgent attention, not an appointment next week.",
    "Small changes at home, like a better chair or a different pillow, can take pressure off the {part}.",
    "The evidence for {treat} is strongest when it is combined with regular exercise and follow-up.",
    "We ask every new patient the same few questions, so that nothing important is missed.",
    "You are welcome to bring a friend or family member to any appointment.",
    "Some people worry about becoming dependent on {med}; we talk openly about what is and is not known.",
    "With {cond}, timing matters: the sooner it is looked at, the simpler the treatment tends to be.",
    "Our clinic in {town} opened in {year} and has grown with the community around it.",
    "Online booking is open around the clock, and our phones are answered from eight in the morning.",
    "If you have had {treat} before, tell us how it went; it helps us plan this time.",
    "Most {patients} can drive home afterwards, although we suggest bringing someone the first time.",
    "Drink plenty of water, eat regular meals and keep moving gently unless we advise otherwise.",
    "We track how {sym} changes over time with a short questionnaire at each visit.",
    "Every {pro} on our team has extra training in {cond} and related problems.",
    "A healthy routine will not cure {cond}, but it gives every other treatment a better chance.",
    "It is common to feel frustrated when progress is slow, and that is worth talking about too.",
    "Over-the-counter products can help, but read the label and ask us if you are unsure.",
    "If you are pregnant or planning a pregnancy, some options change, so please tell us early.",
    "We will let you know the results within {range} working days.",
    "Weather, workload and sleep can all make {sym} come and go.",
    "Telehealth visits are available for follow-ups when an examination is not needed.",
    "The cost of {treat} depends on your plan, your deductible and where it is done.",
    "Ask about our payment plans if you are paying for your own care.",
    "{Author} joined {clinic} in {year} after training in {city}.",
    "Patients sometimes compare {treat} with {treat2}; each has its place.",
    "Recovery is rarely a straight line, and a bad week does not mean the plan has failed.",
    "Your records stay private and are only shared with the people you agree to.",
    "We publish these articles to help you prepare, not to replace a conversation with your own clinician.",
    "It is worth checking your home for trip hazards, especially if {sym} affects your balance.",
    "Any medication, including {med}, can have side effects, and we go through them with you before you start.",
    "People with {cond} often also have {cond2}, and we look at the whole picture rather than one problem at a time.",
    "The first visit is mostly a conversation: what you feel, what you have tried and what you hope to get back to.",
    "{Name} {Surname}, a {job} from {town}, agreed to share how {cond} changed their routine.",
    "We thank {Name} {Surname} for letting us tell this story.",
    "Our colleague {Name} {Surname} at {office} coordinates referrals and can help with the forms.",
    "The {office} office is on the corner of {Surname} Street, with a bus stop outside.",
    "Our reception team, led by {Name} {Surname}, can arrange an interpreter if you need one.",
    "{Name} {Surname} had lived with {sym} for {range} years before a friend suggested a visit.",
];

const TIPS: &[&str] = &[
    "Write down when {sym} is worst and what you were doing at the time.",
    "Bring your medicine boxes, not just a list.",
    "Take {med} exactly as prescribed, and with food unless we tell you otherwise.",
    "Stand up and move for a few minutes every half hour.",
    "Keep a regular bedtime and leave screens outside the bedroom.",
    "Ask who to call after hours before you leave the clinic.",
    "Check your coverage for {treat} with your insurer before the appointment.",
    "Arrive fifteen minutes early for your first visit to fill in the forms.",
    "Start {activity} with ten minutes and build up slowly.",
    "Note any questions about {cond} as they occur to you.",
];

const CLOSINGS: &[&str] = &[
    "If you have questions about {cond} or {treat}, call our {office} office or [book an appointment online](/contact).",
    "You do not need to manage {cond} alone: our {pros} at {office} are happy to help.",
    "Bring this article to your next visit if it raised questions; we are glad to go through them.",
];

const EXCERPTS: &[&str] = &[
    "What {cond} is, how {treat} can help, and when to call our {pros}.",
    "{Author} explains {cond} and answers common questions about {med}.",
    "A practical guide to {cond} from our {office} team.",
    "Signs, causes and treatment of {cond}, in plain language.",
    "What to expect from {treat}, from booking to recovery.",
];

const TOWNS: &[&str] = &[
    "Maple Grove",
    "Cedar Falls",
    "Willow Bend",
    "Fox Hollow",
    "Pine Ridge",
    "Brookfield",
    "Stonebridge",
    "Oak Harbor",
    "Silver Lake",
    "Elmwood",
    "Ashford",
    "Birch Hill",
    "Kingsley",
    "Redfern",
    "Hawthorne",
    "Glenview",
    "Riverton",
    "Eastbrook",
    "Westfield",
    "Millbrook",
    "Sandy Point",
    "Larchmont",
    "Heron Bay",
    "Copper Springs",
    "Greenhaven",
    "Bellwood",
    "Thornbury",
    "Quarry Hill",
    "Juniper Flats",
    "Lantern Cove",
];

const CITIES: &[&str] = &[
    "Chicago",
    "Boston",
    "Seattle",
    "Toronto",
    "Edinburgh",
    "Melbourne",
    "Denver",
    "Atlanta",
    "Minneapolis",
    "Baltimore",
    "Dublin",
    "Auckland",
];

const NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jamal", "Keiko", "Liam", "Marta",
    "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tessa", "Umar", "Vera", "Wes", "Ximena", "Yusuf", "Zoe",
    "Amara", "Bruno", "Chloe", "Dmitri", "Esther", "Felix", "Gwen", "Hamid", "Isla", "Jonas", "Kira", "Leon", "Mei",
    "Noor", "Oscar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Victor", "Wanda", "Yara", "Zane",
];

const SEASONS: &[&str] =
    &["winter", "spring", "summer", "autumn", "the holiday season", "the first warm weeks of the year"];
const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const RANGES: &[&str] = &["one to two", "two to three", "three to four", "four to six", "six to eight"];
const MINUTES: &[&str] = &["30", "40", "45", "60"];
const JOBS: &[&str] = &[
    "teacher",
    "nurse",
    "bus driver",
    "carpenter",
    "accountant",
    "farmer",
    "chef",
    "student",
    "librarian",
    "electrician",
    "postal worker",
    "software developer",
    "hairdresser",
    "retired firefighter",
    "warehouse supervisor",
    "musician",
];

/// Syllables for surnames and street names: proper nouns are the long tail
/// of any real corpus's vocabulary, and the term dictionary's size is what
/// typo matching walks through.
const SYLLABLES: &[&str] = &[
    "al", "bar", "ber", "cal", "dan", "del", "dor", "el", "fen", "gar", "hal", "har", "in", "jan", "kel", "kor", "lan",
    "lin", "mar", "mel", "mor", "nad", "nor", "ol", "par", "per", "quin", "ral", "ren", "ros", "sal", "sel", "tam",
    "ter", "tor", "ul", "van", "vel", "wen", "zel",
];
const SURNAME_ENDINGS: &[&str] = &["", "", "", "son", "ley", "field", "berg", "ton", "er", "ova", "ez", "ski"];

fn surname(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.range(2, 3) {
        s.push_str(rng.pick(SYLLABLES));
    }
    s.push_str(rng.pick(SURNAME_ENDINGS));
    s
}

// ---------------------------------------------------------------------------
// The five clinics.

struct Office {
    slug: &'static str,
    name: &'static str,
    street: &'static str,
    zip: &'static str,
}

struct Author {
    slug: &'static str,
    name: &'static str,
    credentials: &'static str,
}

struct ClinicDef {
    slug: &'static str,
    name: &'static str,
    tagline: &'static str,
    color: &'static str,
    domain: &'static str,
    city_state: &'static str,
    area_code: &'static str,
    timezone: &'static str,
    specialty: usize,
    offices: [Office; 3],
    authors: [Author; 4],
}

const CLINICS: [ClinicDef; 5] = [
    ClinicDef {
        slug: "c1",
        name: "Alder Creek Pain & Spine",
        tagline: "Patient, practical care for long-term pain.",
        color: "#2f5d7c",
        domain: "aldercreek-pain.example",
        city_state: "Springfield, IL",
        area_code: "217",
        timezone: "America/Chicago",
        specialty: 0,
        offices: [
            Office { slug: "riverside", name: "Riverside", street: "120 Example Ave", zip: "62701" },
            Office { slug: "old-town", name: "Old Town", street: "8 Sample Square, Suite 2", zip: "62702" },
            Office { slug: "north-hills", name: "North Hills", street: "455 Placeholder Rd", zip: "62703" },
        ],
        authors: [
            Author { slug: "maria-lindqvist", name: "Maria Lindqvist", credentials: "MD" },
            Author { slug: "samuel-osei", name: "Samuel Osei", credentials: "DO" },
            Author { slug: "priya-raman", name: "Priya Raman", credentials: "PA-C" },
            Author { slug: "tom-becker", name: "Tom Becker", credentials: "RN" },
        ],
    },
    ClinicDef {
        slug: "c2",
        name: "Larkspur Skin Clinic",
        tagline: "Skin care for every age and every skin type.",
        color: "#7a3b69",
        domain: "larkspur-skin.example",
        city_state: "Boulder, CO",
        area_code: "303",
        timezone: "America/Denver",
        specialty: 1,
        offices: [
            Office { slug: "lakeview", name: "Lakeview", street: "31 Example Blvd", zip: "80301" },
            Office { slug: "westgate", name: "Westgate", street: "900 Sample St, Floor 3", zip: "80302" },
            Office { slug: "millbrook", name: "Millbrook", street: "14 Placeholder Ln", zip: "80303" },
        ],
        authors: [
            Author { slug: "hannah-cole", name: "Hannah Cole", credentials: "MD" },
            Author { slug: "ravi-menon", name: "Ravi Menon", credentials: "MD" },
            Author { slug: "julia-santos", name: "Julia Santos", credentials: "NP" },
            Author { slug: "owen-price", name: "Owen Price", credentials: "PA-C" },
        ],
    },
    ClinicDef {
        slug: "c3",
        name: "Meridian Movement Physiotherapy",
        tagline: "Back to what you love, one session at a time.",
        color: "#2e7d4f",
        domain: "meridian-physio.example",
        city_state: "Burlington, VT",
        area_code: "802",
        timezone: "America/New_York",
        specialty: 2,
        offices: [
            Office { slug: "harbour-point", name: "Harbour Point", street: "2 Example Wharf", zip: "05401" },
            Office { slug: "elm-street", name: "Elm Street", street: "77 Sample Elm St", zip: "05402" },
            Office { slug: "southfield", name: "Southfield", street: "310 Placeholder Pkwy", zip: "05403" },
        ],
        authors: [
            Author { slug: "leah-fischer", name: "Leah Fischer", credentials: "DPT" },
            Author { slug: "marcus-webb", name: "Marcus Webb", credentials: "PT" },
            Author { slug: "aiko-tanaka", name: "Aiko Tanaka", credentials: "DPT" },
            Author { slug: "noah-grant", name: "Noah Grant", credentials: "ATC" },
        ],
    },
    ClinicDef {
        slug: "c4",
        name: "Bramblewood Family Dental",
        tagline: "Gentle dentistry for the whole family.",
        color: "#1b6f8a",
        domain: "bramblewood-dental.example",
        city_state: "Eugene, OR",
        area_code: "541",
        timezone: "America/Los_Angeles",
        specialty: 3,
        offices: [
            Office { slug: "bramblewood", name: "Bramblewood", street: "5 Example Court", zip: "97401" },
            Office { slug: "cedar-park", name: "Cedar Park", street: "260 Sample Way", zip: "97402" },
            Office { slug: "station-road", name: "Station Road", street: "41 Placeholder Station Rd", zip: "97403" },
        ],
        authors: [
            Author { slug: "ellen-marsh", name: "Ellen Marsh", credentials: "DDS" },
            Author { slug: "victor-alvarez", name: "Victor Alvarez", credentials: "DMD" },
            Author { slug: "sunita-rao", name: "Sunita Rao", credentials: "RDH" },
            Author { slug: "peter-lund", name: "Peter Lund", credentials: "DDS" },
        ],
    },
    ClinicDef {
        slug: "c5",
        name: "Little Otter Children's Clinic",
        tagline: "Care for children from the first day to the last school year.",
        color: "#b5542b",
        domain: "littleotter-kids.example",
        city_state: "Flagstaff, AZ",
        area_code: "928",
        timezone: "America/Phoenix",
        specialty: 4,
        offices: [
            Office { slug: "otter-bay", name: "Otter Bay", street: "19 Example Dr", zip: "86001" },
            Office { slug: "hillcrest", name: "Hillcrest", street: "602 Sample Hill Rd", zip: "86004" },
            Office { slug: "market-square", name: "Market Square", street: "3 Placeholder Market Sq", zip: "86005" },
        ],
        authors: [
            Author { slug: "grace-adeyemi", name: "Grace Adeyemi", credentials: "MD" },
            Author { slug: "daniel-kowalski", name: "Daniel Kowalski", credentials: "MD" },
            Author { slug: "lucy-tran", name: "Lucy Tran", credentials: "CPNP" },
            Author { slug: "ahmed-farouk", name: "Ahmed Farouk", credentials: "MD" },
        ],
    },
];

/// The provision file for the five clinics.
fn provision_toml() -> String {
    let mut s = String::from("# Generated by server/examples/search_bench.rs. Everything here is fictional.\n");
    for (ci, c) in CLINICS.iter().enumerate() {
        let sp = SPECIALTIES[c.specialty];
        let _ = write!(
            s,
            "\n[[clinic]]\nslug = \"{}\"\nname = \"{}\"\ntagline = \"{}\"\nbrand_color = \"{}\"\n\
             disclaimer = \"Please send non-medical questions only. For emergencies call 911.\"\n\
             hosts = [\"www.{}\"]\ndefault_inbox = \"hello@{}\"\n",
            c.slug, c.name, c.tagline, c.color, c.domain, c.domain
        );
        for (oi, o) in c.offices.iter().enumerate() {
            let _ = write!(
                s,
                "\n[[clinic.location]]\nslug = \"{}\"\nname = \"{}\"\naddress = \"{}, {} {}\"\n\
                 phone = \"+1 {} 555 01{}{}\"\ntimezone = \"{}\"\n\
                 hours = {{ mon = \"08:00-17:00\", tue = \"08:00-17:00\", wed = \"08:00-12:00,13:00-17:00\", \
                 thu = \"08:00-18:30\", fri = \"08:00-16:00\", sat = \"{}\", sun = \"closed\" }}\n\
                 inbox = [\"{}@{}\"]\nzip_codes = [\"{}\"]\n",
                o.slug,
                o.name,
                o.street,
                c.city_state,
                o.zip,
                c.area_code,
                ci,
                oi,
                c.timezone,
                if oi == 0 { "09:00-12:00" } else { "closed" },
                o.slug,
                c.domain,
                o.zip
            );
        }
        for a in &c.authors {
            let _ = write!(
                s,
                "\n[[clinic.author]]\nslug = \"{}\"\nname = \"{}\"\ncredentials = \"{}\"\n\
                 bio = \"{} writes about {} for {} and sees {} at the {} office.\"\n",
                a.slug,
                a.name,
                a.credentials,
                a.name,
                sp.categories[0].to_lowercase(),
                c.name,
                sp.patients,
                c.offices[0].name
            );
        }
    }
    s
}

// ---------------------------------------------------------------------------
// One post.

/// The words a post is about; slots in the templates are filled from here
/// (fixed per post) or drawn afresh at each use (`sym`, `town`, …).
struct Ctx<'a> {
    sp: &'a Specialty,
    clinic: &'a ClinicDef,
    cond: &'a str,
    treat: &'a str,
    med: &'a str,
    office: &'a str,
    author: String,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Fill `{slot}`s; `{Slot}` capitalises the value.
fn fill(template: &str, ctx: &Ctx<'_>, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 40);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e).expect("template slots are closed");
        let key = &rest[start + 1..end];
        let cap = key.chars().next().is_some_and(char::is_uppercase);
        let value: String = match key.to_lowercase().as_str() {
            "cond" => ctx.cond.to_string(),
            "cond2" => rng.pick_skewed(ctx.sp.conditions).0.to_string(),
            "treat" => ctx.treat.to_string(),
            "treat2" => rng.pick(ctx.sp.treatments).to_string(),
            "med" => ctx.med.to_string(),
            "sym" => rng.pick(ctx.sp.symptoms).to_string(),
            "part" => rng.pick(ctx.sp.parts).to_string(),
            "activity" => rng.pick(ctx.sp.activities).to_string(),
            "pro" => ctx.sp.pro.to_string(),
            "pros" => ctx.sp.pros.to_string(),
            "opros" => ctx.sp.other_pros.to_string(),
            "patients" => ctx.sp.patients.to_string(),
            "office" => ctx.office.to_string(),
            "author" => ctx.author.clone(),
            "clinic" => ctx.clinic.name.to_string(),
            "town" => rng.pick(TOWNS).to_string(),
            "city" => rng.pick(CITIES).to_string(),
            "name" => rng.pick(NAMES).to_string(),
            "season" => rng.pick(SEASONS).to_string(),
            "weekday" => rng.pick(WEEKDAYS).to_string(),
            "range" => rng.pick(RANGES).to_string(),
            "minutes" => rng.pick(MINUTES).to_string(),
            "year" => (1996 + rng.below(26)).to_string(),
            "surname" => surname(rng),
            "job" => rng.pick(JOBS).to_string(),
            other => panic!("unknown template slot {{{other}}}"),
        };
        out.push_str(&if cap { capitalise(&value) } else { value });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn paragraph(ctx: &Ctx<'_>, rng: &mut Rng, sentences: usize) -> String {
    let mut p = Vec::with_capacity(sentences);
    for _ in 0..sentences {
        let t = if rng.chance(0.2) { rng.pick(ctx.sp.sentences) } else { rng.pick(SENTENCES) };
        p.push(fill(t, ctx, rng));
    }
    p.join(" ")
}

fn post(i: usize, seed: u64, published_at: DateTime<Utc>) -> (usize, PostDraft) {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let clinic_index = i % CLINICS.len();
    let clinic = &CLINICS[clinic_index];
    // Mostly the clinic's own field; clinic groups also write about their neighbours' fields.
    let sp_index = if rng.chance(0.65) { clinic.specialty } else { rng.below(SPECIALTIES.len()) };
    let sp = SPECIALTIES[sp_index];
    let (cond, cond_cat) = rng.pick_skewed(sp.conditions);
    let author = rng.pick_ref(&clinic.authors);
    let office = rng.pick_ref(&clinic.offices);
    let ctx = Ctx {
        sp,
        clinic,
        cond,
        treat: rng.pick_skewed(sp.treatments),
        med: rng.pick_skewed(sp.medicines),
        office: office.name,
        author: format!("{}, {}", author.name, author.credentials),
    };

    let title = capitalise(&fill(rng.pick(TITLES), &ctx, &mut rng));
    let mut md = String::with_capacity(5000);
    md.push_str(&format!("{} {}\n\n", fill(rng.pick(INTROS), &ctx, &mut rng), paragraph(&ctx, &mut rng, 2)));

    let mut order: Vec<usize> = (0..HEADINGS.len()).collect();
    for k in (1..order.len()).rev() {
        order.swap(k, rng.below(k + 1));
    }
    let sections = rng.range(3, 6);
    let mut chosen: Vec<usize> = order.into_iter().take(sections).collect();
    chosen.sort_unstable(); // headings are listed in a sensible reading order
    for h in chosen {
        md.push_str(&format!("## {}\n\n", fill(HEADINGS[h], &ctx, &mut rng)));
        let n = rng.range(3, 6);
        md.push_str(&paragraph(&ctx, &mut rng, n));
        md.push_str("\n\n");
        if rng.chance(0.3) {
            for _ in 0..rng.range(3, 5) {
                let tip = if rng.chance(0.4) { rng.pick(sp.tips) } else { rng.pick(TIPS) };
                md.push_str(&format!("- {}\n", fill(tip, &ctx, &mut rng)));
            }
            md.push('\n');
        } else if rng.chance(0.5) {
            let n = rng.range(2, 5);
            md.push_str(&paragraph(&ctx, &mut rng, n));
            md.push_str("\n\n");
        }
    }
    md.push_str(&format!("## {}\n\n", rng.pick(CLOSING_HEADINGS)));
    let n = rng.range(2, 3);
    md.push_str(&format!("{} {}\n", paragraph(&ctx, &mut rng, n), fill(rng.pick(CLOSINGS), &ctx, &mut rng)));

    let category = if rng.chance(0.75) { sp.categories[cond_cat] } else { rng.pick(sp.categories) };
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.range(2, 4) {
        let t = if rng.chance(0.15) { rng.pick(GENERAL_TAGS) } else { rng.pick_skewed(sp.tags) };
        if !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    }
    let mut locations = vec![office.slug.to_string()];
    if rng.chance(0.2) {
        let other = rng.pick_ref(&clinic.offices).slug.to_string();
        if other != locations[0] {
            locations.push(other);
        }
    } else if rng.chance(0.15) {
        locations.clear(); // about the whole clinic, not one office
    }

    let mut slug = slugify(&title);
    slug.truncate(90);
    while slug.ends_with('-') {
        slug.pop();
    }
    let draft = PostDraft {
        slug: format!("{slug}-{i}"),
        title,
        published_at: Some(published_at),
        updated_at: None,
        author: Some(author.slug.to_string()),
        category: Some(category.to_string()),
        tags,
        excerpt: Some(fill(rng.pick(EXCERPTS), &ctx, &mut rng)),
        status: PostStatus::Published,
        locations,
        seo_title: None,
        seo_description: None,
        featured_image: None,
        featured_image_alt: None,
        body_md: md,
    };
    (clinic_index, draft)
}

/// The database for generating: a SQLite file gets the server's settings
/// (WAL, foreign keys, `synchronous = normal`, see `clinicpress::db::connect`)
/// on one connection with a 256 MiB page cache, so a transaction of 1000
/// posts is not spilled to the WAL page by page before it commits. This only
/// speeds up writing the test data; the server and `reindex` open the file
/// with their usual settings.
async fn generation_db(url: &str) -> Result<sea_orm::DatabaseConnection> {
    if !url.starts_with("sqlite:") {
        return clinicpress::db::connect(url).await.context("cannot open the database");
    }
    use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
    let mut opt = sea_orm::ConnectOptions::new(url.to_string());
    opt.sqlx_logging(false).max_connections(1).min_connections(1).map_sqlx_sqlite_opts(|o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .create_if_missing(true)
            .pragma("cache_size", "-262144")
    });
    sea_orm::Database::connect(opt).await.context("cannot open the database")
}

async fn generate(url: &str, posts: usize, batch: usize, seed: u64) -> Result<()> {
    ensure!(posts > 0, "--posts must be at least 1");
    ensure!(batch > 0, "--batch must be at least 1");
    let started = Instant::now();
    let db = generation_db(url).await?;
    clinicpress::db::migrate(&db).await.context("cannot apply migrations")?;
    {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let existing = clinicpress::entities::post::Entity::find().count(&db).await?;
        ensure!(existing == 0, "the database already has {existing} post(s); generate needs an empty one");
    }
    let toml = provision_toml();
    let plan =
        provision::plan("search-bench.toml", &toml, |_| None).context("the generated provision file is invalid")?;
    let applied = provision::apply(&db, plan).await?;
    let mut clinic_ids = Vec::new();
    for c in &CLINICS {
        match tenancy::resolve(&db, &format!("{}.localhost", c.slug), "http").await? {
            tenancy::Resolved::Site(Site::Clinic(info)) => clinic_ids.push(info.id),
            _ => bail!("clinic {} was not created", c.slug),
        }
    }
    eprintln!(
        "provisioned {} clinics, {} offices, {} authors; generating {posts} posts",
        applied.clinics, applied.locations, applied.authors
    );

    let now = Utc::now();
    let span_secs: i64 = 6 * 365 * 24 * 3600; // published over the last six years
    let mut words: u64 = 0;
    let mut done = 0;
    let mut last_report = Instant::now();
    while done < posts {
        let end = (done + batch).min(posts);
        let txn = db.begin().await?;
        for i in done..end {
            let mut rng = Rng::new(seed.wrapping_add(i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            let at = now - chrono::Duration::seconds(60 + (rng.next() % span_secs as u64) as i64);
            let (ci, draft) = post(i, seed, at);
            words += draft.body_md.split_whitespace().count() as u64;
            store::save(&txn, clinic_ids[ci], &draft, now)
                .await
                .with_context(|| format!("cannot save post {i} ({})", draft.slug))?;
        }
        txn.commit().await?;
        done = end;
        if last_report.elapsed() > Duration::from_secs(10) || done == posts {
            eprintln!("  {done}/{posts} posts ({:.0} s)", started.elapsed().as_secs_f64());
            last_report = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "RESULT generate posts={posts} seconds={secs:.1} avg_words={:.0} clinics={}",
        words as f64 / posts as f64,
        CLINICS.len()
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Queries.

struct BenchQuery {
    kind: String,
    text: String,
    filters: Vec<(String, String)>,
}

impl BenchQuery {
    fn search_query(&self) -> Result<SearchQuery> {
        let mut q = SearchQuery { q: self.text.clone(), page: 1, ..SearchQuery::default() };
        for (k, v) in &self.filters {
            match k.as_str() {
                "category" => q.category = Some(v.clone()),
                "tag" => q.tag = Some(v.clone()),
                "author" => q.author = Some(v.clone()),
                "location" => q.location = Some(v.clone()),
                "sort" => q.sort = SortOrder::parse(v).with_context(|| format!("bad sort \"{v}\""))?,
                "page" => q.page = v.parse().with_context(|| format!("bad page \"{v}\""))?,
                other => bail!("unknown filter \"{other}\""),
            }
        }
        Ok(q)
    }

    fn query_string(&self) -> String {
        let mut s = format!("q={}", app::text::url_encode(&self.text));
        for (k, v) in &self.filters {
            s.push_str(&format!("&{k}={}", app::text::url_encode(v)));
        }
        s
    }

    fn label(&self) -> String {
        let mut s = self.text.clone();
        for (k, v) in &self.filters {
            s.push_str(&format!(" [{k}={v}]"));
        }
        s
    }
}

/// `kind | text | key=value key=value`; `#` starts a comment line.
fn read_queries(path: &Path) -> Result<Vec<BenchQuery>> {
    let src = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in src.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        ensure!(parts.len() == 3, "{}:{}: expected `kind | text | filters`", path.display(), n + 1);
        let mut filters = Vec::new();
        for f in parts[2].split_whitespace() {
            let (k, v) = f
                .split_once('=')
                .with_context(|| format!("{}:{}: filter \"{f}\" is not key=value", path.display(), n + 1))?;
            filters.push((k.to_string(), v.to_string()));
        }
        let q = BenchQuery { kind: parts[0].to_string(), text: parts[1].to_string(), filters };
        q.search_query().with_context(|| format!("{}:{}", path.display(), n + 1))?;
        out.push(q);
    }
    ensure!(!out.is_empty(), "{} has no queries", path.display());
    Ok(out)
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn dir_size(path: &Path) -> Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(path).with_context(|| format!("cannot list {}", path.display()))? {
        let e = e?;
        let md = e.metadata()?;
        total += if md.is_dir() { dir_size(&e.path())? } else { md.len() };
    }
    Ok(total)
}

async fn run_queries(
    data_dir: &Path,
    url: &str,
    queries_path: &Path,
    host: &str,
    reps: usize,
    report: Option<&Path>,
) -> Result<()> {
    ensure!(reps > 0, "--reps must be at least 1");
    let queries = read_queries(queries_path)?;
    let db = clinicpress::db::connect(url).await.context("cannot open the database")?;
    let tenancy::Resolved::Site(Site::Clinic(clinic)) = tenancy::resolve(&db, host, "http").await? else {
        bail!("no clinic answers to host {host}");
    };

    let opened = Instant::now();
    let (service, state) = SearchService::open(data_dir).context("cannot open the search index")?;
    let open_ms = ms(opened.elapsed());
    ensure!(
        state == StartState::Ready,
        "the search index in {} is not ready ({state:?}); run `clinicpress reindex` first",
        data_dir.display()
    );
    let index = service.index();
    let searcher = index.searcher();
    let docs = searcher.num_docs();
    let segments = searcher.segment_readers().len();
    let mut body_terms = 0usize;
    for seg in searcher.segment_readers() {
        body_terms = body_terms.max(seg.inverted_index(index.fields.all)?.terms().num_terms());
    }
    let current = std::fs::read_to_string(data_dir.join("search/CURRENT"))?;
    let index_dir = data_dir.join("search").join(current.trim());
    let size = dir_size(&index_dir)?;
    let port = SqlSearch::new(db.clone(), service.clone());

    // One untimed run of each query: the first touch of each part of the
    // index reads it from disk into the page cache (mmap).
    for q in &queries {
        port.search(&clinic, q.search_query()?).await.map_err(|e| anyhow::anyhow!("{}: {e}", q.label()))?;
    }

    let mut match_times: Vec<Vec<Duration>> = vec![Vec::with_capacity(reps); queries.len()];
    let mut index_times: Vec<Vec<Duration>> = vec![Vec::with_capacity(reps); queries.len()];
    let mut port_times: Vec<Vec<Duration>> = vec![Vec::with_capacity(reps); queries.len()];
    let mut phase_times: Vec<Vec<[Duration; 4]>> = vec![Vec::with_capacity(reps); queries.len()];
    let mut totals = vec![(0u64, MatchMode::All, 0usize, false); queries.len()];
    let wall = Instant::now();
    for _ in 0..reps {
        for (qi, q) in queries.iter().enumerate() {
            let sq = q.search_query()?;

            // Matching only: the query built as `SearchIndex::search` builds it
            // (every word, else any word), counted, and the top page ranked —
            // without facet counts, stored documents, snippets or spelling.
            let t = Instant::now();
            let facets = filter_facets(&sq).map_err(|e| anyhow::anyhow!("{}: {e}", q.label()))?;
            let parsed = query::parse(&sq.q);
            let scope = Scope { clinic_id: clinic.id, now: Utc::now().timestamp(), facets };
            let searcher = service.index().searcher();
            let fields = &service.index().fields;
            let typos = Typos::find(&searcher, fields, &parsed, scope.clinic_id)?;
            let mut built =
                query::build(fields, &parsed, &scope, Options { all_words: true, prefix_last: false }, &typos);
            if built.clauses > 0 {
                let offset = ((sq.page - 1) * PER_PAGE) as usize;
                let top = || TopDocs::with_limit(PER_PAGE as usize).and_offset(offset).order_by_score();
                let mut found = searcher.search(&built.query, &(Count, top()))?;
                if found.0 == 0 && built.clauses > 1 {
                    built =
                        query::build(fields, &parsed, &scope, Options { all_words: false, prefix_last: false }, &typos);
                    found = searcher.search(&built.query, &(Count, top()))?;
                }
                std::hint::black_box(&found);
            }
            match_times[qi].push(t.elapsed());

            // The index alone: what SqlSearch::search does before it asks the database for names.
            let t = Instant::now();
            let facets = filter_facets(&sq).map_err(|e| anyhow::anyhow!("{}: {e}", q.label()))?;
            let parsed = query::parse(&sq.q);
            let req = Request {
                parsed: &parsed,
                scope: Scope { clinic_id: clinic.id, now: Utc::now().timestamp(), facets },
                sort: sq.sort,
                offset: ((sq.page - 1) * PER_PAGE) as usize,
                limit: PER_PAGE as usize,
            };
            let raw = service.index().search(&req)?;
            index_times[qi].push(t.elapsed());
            let ph = raw.phases;
            phase_times[qi].push([ph.typos, ph.matching, ph.hits, ph.spelling]);
            std::hint::black_box(&raw);

            // The whole server-side answer, as the page and /api/v1/search get it.
            let t = Instant::now();
            let res = port.search(&clinic, sq).await.map_err(|e| anyhow::anyhow!("{}: {e}", q.label()))?;
            port_times[qi].push(t.elapsed());
            totals[qi] = (res.total, res.mode, res.hits.len(), res.suggestion.is_some());
        }
    }
    let wall_s = wall.elapsed().as_secs_f64();

    let summarise = |per_query: &[Vec<Duration>]| {
        let mut all: Vec<Duration> = per_query.iter().flatten().copied().collect();
        all.sort_unstable();
        let mean = all.iter().sum::<Duration>() / all.len() as u32;
        (percentile(&all, 50.0), percentile(&all, 99.0), *all.last().expect("samples"), mean, all.len())
    };
    let (m50, m99, mmax, mmean, _) = summarise(&match_times);
    let (i50, i99, imax, imean, n) = summarise(&index_times);
    let (p50, p99, pmax, pmean, _) = summarise(&port_times);
    let zero = totals.iter().filter(|t| t.0 == 0).count();

    println!(
        "clinic {} (id {}), {} queries × {reps} runs = {n} searches per path, {:.1} s in all",
        clinic.slug,
        clinic.id,
        queries.len(),
        wall_s
    );
    println!(
        "index: {docs} documents, {segments} segment(s), {body_terms} distinct clinic-scoped terms of the `all` field (largest segment), \
         {:.1} MiB on disk, opened in {open_ms:.0} ms; writer budget {} MiB shared by {WRITER_THREADS} threads",
        size as f64 / 1048576.0,
        WRITER_HEAP_BYTES / 1048576
    );
    println!(
        "matching   : p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  mean {:.2} ms",
        ms(m50),
        ms(m99),
        ms(mmax),
        ms(mmean)
    );
    println!(
        "index only : p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  mean {:.2} ms",
        ms(i50),
        ms(i99),
        ms(imax),
        ms(imean)
    );
    println!(
        "SearchPort : p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms  mean {:.2} ms",
        ms(p50),
        ms(p99),
        ms(pmax),
        ms(pmean)
    );
    if zero > 0 {
        println!("{zero} of {} queries found nothing", queries.len());
    }

    // By kind of query, and per query (the slowest first).
    let mut by_kind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for (qi, q) in queries.iter().enumerate() {
        by_kind.entry(q.kind.as_str()).or_default().extend(port_times[qi].iter().copied());
    }
    let mut md = String::new();
    let _ = writeln!(
        md,
        "SearchPort latency by kind of query ({} runs each, clinic `{}`, {docs} documents in the index):\n",
        reps, clinic.slug
    );
    let _ = writeln!(md, "| Kind | Queries | p50 | p99 | max |\n|---|---|---|---|---|");
    for (kind, mut v) in by_kind {
        v.sort_unstable();
        let nq = queries.iter().filter(|q| q.kind == kind).count();
        let _ = writeln!(
            md,
            "| {kind} | {nq} | {:.2} ms | {:.2} ms | {:.2} ms |",
            ms(percentile(&v, 50.0)),
            ms(percentile(&v, 99.0)),
            ms(*v.last().expect("samples"))
        );
    }
    let _ = writeln!(
        md,
        "\nPer query (sorted by SearchPort median; matching = count and rank only; index = `SearchIndex::search` with facets, snippets and spelling; port = `SearchPort::search`, adding the database look-ups; then the medians of the parts of `SearchIndex::search`: typo variants looked up, query built and matches collected with count, page and facets, stored documents and snippets, spelling):\n"
    );
    let _ = writeln!(
        md,
        "| Query | Kind | Results | Mode | Did you mean | matching median | index median | port median | port max | typos | collect | hits | spelling |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut rows: Vec<usize> = (0..queries.len()).collect();
    let median = |v: &Vec<Duration>| {
        let mut s = v.clone();
        s.sort_unstable();
        percentile(&s, 50.0)
    };
    rows.sort_by_key(|&qi| std::cmp::Reverse(median(&port_times[qi])));
    let phase_median = |v: &Vec<[Duration; 4]>, i: usize| {
        let mut s: Vec<Duration> = v.iter().map(|p| p[i]).collect();
        s.sort_unstable();
        percentile(&s, 50.0)
    };
    for qi in rows {
        let q = &queries[qi];
        let (total, mode, _, suggested) = totals[qi];
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} | {:.2} | {:.2} | {:.2} |",
            q.label().replace('|', "\\|"),
            q.kind,
            total,
            match mode {
                MatchMode::All => "all",
                MatchMode::Any => "any",
            },
            if suggested { "yes" } else { "" },
            ms(median(&match_times[qi])),
            ms(median(&index_times[qi])),
            ms(median(&port_times[qi])),
            ms(*port_times[qi].iter().max().expect("samples")),
            ms(phase_median(&phase_times[qi], 0)),
            ms(phase_median(&phase_times[qi], 1)),
            ms(phase_median(&phase_times[qi], 2)),
            ms(phase_median(&phase_times[qi], 3)),
        );
    }
    if let Some(path) = report {
        std::fs::write(path, &md).with_context(|| format!("cannot write {}", path.display()))?;
    } else {
        print!("{md}");
    }
    println!(
        "RESULT query docs={docs} segments={segments} body_terms={body_terms} index_bytes={size} \
         match_p50_ms={:.3} match_p99_ms={:.3} index_p50_ms={:.3} index_p99_ms={:.3} index_max_ms={:.3} port_p50_ms={:.3} port_p99_ms={:.3} \
         port_max_ms={:.3} port_mean_ms={:.3} samples={n} queries={} zero_hit_queries={zero} \
         writer_heap_mib={} writer_threads={WRITER_THREADS}",
        ms(m50),
        ms(m99),
        ms(i50),
        ms(i99),
        ms(imax),
        ms(p50),
        ms(p99),
        ms(pmax),
        ms(pmean),
        queries.len(),
        WRITER_HEAP_BYTES / 1048576
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Diagnostics (not run by bench/search.sh).

async fn read_posts(url: &str) -> Result<()> {
    use clinicpress::search::document;
    let db = clinicpress::db::connect(url).await.context("cannot open the database")?;
    let started = Instant::now();
    let (mut after, mut n, mut bytes) = (0, 0usize, 0usize);
    loop {
        let batch = document::published_after(&db, after, 500).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        n += batch.len();
        bytes += batch.iter().map(|p| p.body_text.len() + p.title.len() + p.excerpt.len()).sum::<usize>();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "read {n} published posts ({:.0} MiB of text) in {secs:.1} s, as a rebuild reads them",
        bytes as f64 / 1048576.0
    );
    println!("RESULT read_posts posts={n} seconds={secs:.2} text_bytes={bytes}");
    Ok(())
}

fn merge_segments(data_dir: &Path) -> Result<()> {
    let current = std::fs::read_to_string(data_dir.join("search/CURRENT")).context("no search/CURRENT")?;
    let dir = data_dir.join("search").join(current.trim());
    let index = tantivy::Index::open_in_dir(&dir)?;
    clinicpress::search::schema::register(&index);
    let ids = index.searchable_segment_ids()?;
    let started = Instant::now();
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
    if ids.len() > 1 {
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()?;
    let after = index.searchable_segment_ids()?.len();
    println!(
        "merged {} segment(s) into {after} in {:.1} s ({})",
        ids.len(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}
