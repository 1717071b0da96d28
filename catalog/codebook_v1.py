"""The default codebook, version 1 — FROZEN: migration 0002 builds the database from this data.

Do not edit this module: a migration must produce the same database whenever it runs, so a
later change to the default codebook goes into a new module (``codebook_v2``) and a new data
migration that applies the difference. Editors change the live taxonomy in the app, where
every change is versioned (``TaxonomyChange``).

Each dimension: slug, kind, label, definition, required, order, is_maturity, weight, French
(label, definition) and its tags. A tag is ``(slug, label, definition, examples, fr_label,
fr_definition)``; an ordinal dimension has exactly six levels 0..5 whose anchors are written
like a rating board's criteria: what is shown, how often, how explicitly, and how long.
The tagger rates the strongest sustained content of the whole title, not an average.
"""

from __future__ import annotations

from typing import Any

TagRow = tuple[str, str, str, str, str, str]

# --- multi-select ---------------------------------------------------------------------------

GENRES: list[TagRow] = [
    ("action", "Action", "Physical conflict, chases, fights or stunts drive the plot and take a large share of the running time.", "Die Hard; Mad Max: Fury Road", "Action", "Conflits physiques, poursuites, combats ou cascades font avancer l'intrigue et occupent une grande part du film."),
    ("adventure", "Adventure", "A journey or quest into unfamiliar places, with discovery and danger along the way.", "Raiders of the Lost Ark; The Goonies", "Aventure", "Un voyage ou une quête en terrain inconnu, avec découvertes et dangers en chemin."),
    ("animation", "Animation", "The picture is mostly drawn, modelled or stop-motion rather than live action (a format, combined with other genres).", "Spirited Away; Toy Story", "Animation", "L'image est surtout dessinée, modélisée ou en volume plutôt que filmée en prise de vue réelle (un format, combiné avec d'autres genres)."),
    ("children", "Children", "Made for children under 12: simple stories, no content above level 1 on any maturity scale.", "Paddington; My Neighbor Totoro", "Jeunesse", "Conçu pour les moins de 12 ans : histoires simples, aucun contenu au-dessus du niveau 1 sur les échelles de maturité."),
    ("comedy", "Comedy", "Mainly meant to make the audience laugh; jokes, comic situations or comic performances carry it.", "Airplane!; The Grand Budapest Hotel", "Comédie", "Conçu avant tout pour faire rire ; gags, situations ou interprétations comiques le portent."),
    ("romantic-comedy", "Romantic comedy", "A comedy whose main plot is two people falling in love, with comic obstacles and usually a happy ending.", "When Harry Met Sally…; Notting Hill", "Comédie romantique", "Une comédie dont l'intrigue principale est une histoire d'amour naissante, avec des obstacles comiques et le plus souvent une fin heureuse."),
    ("crime", "Crime", "Centred on a crime, criminals or its investigation (heists, gangsters, detectives, trials).", "The Godfather; Heat", "Policier", "Centré sur un crime, des criminels ou une enquête (braquages, gangsters, détectives, procès)."),
    ("documentary", "Documentary", "Non-fiction: real people, events or subjects presented as fact, whatever the style.", "Free Solo; Man on Wire", "Documentaire", "Non-fiction : personnes, événements ou sujets réels présentés comme des faits, quel que soit le style."),
    ("drama", "Drama", "Serious treatment of characters and their conflicts; emotion and character development come before spectacle or jokes.", "Manchester by the Sea; Marriage Story", "Drame", "Traitement sérieux des personnages et de leurs conflits ; l'émotion et l'évolution des personnages priment sur le spectacle ou les gags."),
    ("family", "Family", "Made for parents and children to watch together; content stays at level 2 or below on every maturity scale.", "The Incredibles; Hugo", "Familial", "Fait pour être vu par parents et enfants ensemble ; le contenu reste au niveau 2 ou moins sur chaque échelle de maturité."),
    ("fantasy", "Fantasy", "Magic, mythical creatures or invented worlds whose rules are supernatural rather than scientific.", "The Lord of the Rings; Pan's Labyrinth", "Fantasy", "Magie, créatures mythiques ou mondes inventés dont les règles sont surnaturelles plutôt que scientifiques."),
    ("film-noir", "Film noir", "Crime story with fatalistic mood, moral ambiguity, a flawed protagonist and usually high-contrast night imagery (classic 1940s-50s or neo-noir).", "Double Indemnity; Chinatown", "Film noir", "Récit criminel à l'atmosphère fataliste, ambiguïté morale, héros faillible et le plus souvent images nocturnes contrastées (classique des années 40-50 ou néo-noir)."),
    ("horror", "Horror", "Designed to frighten or disgust: monsters, the supernatural, killers or body horror are the point.", "The Shining; Get Out", "Horreur", "Conçu pour effrayer ou dégoûter : monstres, surnaturel, tueurs ou horreur corporelle sont le propos."),
    ("musical", "Musical", "Characters sing or dance as part of the storytelling (not only performances within the plot).", "Singin' in the Rain; La La Land", "Comédie musicale", "Les personnages chantent ou dansent pour raconter l'histoire (pas seulement des spectacles dans l'intrigue)."),
    ("music", "Music", "About musicians or music-making, with performances shown on screen (including concert films).", "Whiplash; Amadeus", "Musique", "Consacré à des musiciens ou à la création musicale, avec des performances à l'écran (y compris les films de concert)."),
    ("mystery", "Mystery", "The audience follows the solving of a puzzle — who did it, what happened — withheld until late.", "Knives Out; Murder on the Orient Express", "Mystère", "Le spectateur suit la résolution d'une énigme — qui, quoi, comment — dont la réponse est révélée tard."),
    ("romance", "Romance", "A love relationship is the main plot line, whatever the tone.", "Casablanca; Before Sunrise", "Romance", "Une relation amoureuse est l'intrigue principale, quel que soit le ton."),
    ("sci-fi", "Science fiction", "Speculative science or technology (space travel, AI, time travel, future societies) shapes the story.", "Blade Runner; Arrival", "Science-fiction", "Une science ou une technologie spéculative (voyage spatial, IA, voyage temporel, sociétés futures) façonne l'histoire."),
    ("thriller", "Thriller", "Sustained tension and danger: the protagonist races against a threat and the audience fears what happens next.", "Se7en; The Silence of the Lambs", "Thriller", "Tension et danger soutenus : le héros lutte contre une menace et le spectateur redoute la suite."),
    ("war", "War", "Armed conflict between nations or factions, on the front or at home, is the central subject.", "Saving Private Ryan; Dunkirk", "Guerre", "Un conflit armé entre nations ou factions, au front ou à l'arrière, est le sujet central."),
    ("western", "Western", "Set on a frontier, typically the 19th-century American West, with its codes: outlaws, lawmen, settlers.", "Unforgiven; The Good, the Bad and the Ugly", "Western", "Se déroule sur une frontière, typiquement l'Ouest américain du XIXe siècle, avec ses codes : hors-la-loi, shérifs, colons."),
    ("biography", "Biography", "Dramatises the life, or a defining part of the life, of a real person.", "Lawrence of Arabia; The Social Network", "Biographie", "Met en scène la vie, ou une période décisive de la vie, d'une personne réelle."),
    ("history", "History", "Dramatises real historical events or periods, with the history itself as the subject.", "Lincoln; The Last Emperor", "Histoire", "Met en scène des événements ou périodes historiques réels, l'histoire étant le sujet même."),
    ("sport", "Sport", "A sport, its competitions or athletes are central to the plot.", "Rocky; Moneyball", "Sport", "Un sport, ses compétitions ou ses athlètes sont au cœur de l'intrigue."),
    ("superhero", "Superhero", "Costumed heroes or villains with superhuman powers, usually from comics.", "The Dark Knight; Spider-Man: Into the Spider-Verse", "Super-héros", "Héros ou méchants costumés aux pouvoirs surhumains, le plus souvent issus de la bande dessinée."),
    ("satire", "Satire", "Comedy that ridicules real institutions, people or social behaviour to criticise them.", "Dr. Strangelove; Network", "Satire", "Comédie qui ridiculise des institutions, personnes ou comportements réels pour les critiquer."),
    ("coming-of-age", "Coming of age", "A young protagonist's passage toward adulthood is the main arc.", "Lady Bird; Stand by Me", "Récit d'apprentissage", "Le passage d'un jeune héros vers l'âge adulte est l'arc principal."),
]

TONES: list[TagRow] = [
    ("emotional", "Emotional", "Aims to move the audience: scenes are built to produce sadness, joy or tenderness.", "The Notebook; Coco", "Émouvant", "Cherche à émouvoir : des scènes sont construites pour susciter tristesse, joie ou tendresse."),
    ("sincere", "Sincere", "Takes its characters and feelings at face value, without irony or winking at the audience.", "Little Women (2019); Paddington 2", "Sincère", "Prend ses personnages et leurs sentiments au premier degré, sans ironie ni clin d'œil au public."),
    ("humorous", "Humorous", "Frequent light humour, even if the title is not a comedy.", "Guardians of the Galaxy; Chef", "Humoristique", "Humour léger fréquent, même si le titre n'est pas une comédie."),
    ("irreverent", "Irreverent", "Mocks what is usually treated with respect (authority, religion, taboos) and enjoys breaking rules.", "Deadpool; Monty Python's Life of Brian", "Irrévérencieux", "Se moque de ce qui est d'habitude respecté (autorité, religion, tabous) et aime enfreindre les règles."),
    ("confident", "Confident", "Assured, stylish storytelling with bold choices and a strong authorial voice.", "Pulp Fiction; Whiplash", "Assuré", "Narration assurée et stylisée, aux choix audacieux et à la voix d'auteur affirmée."),
    ("quirky", "Quirky", "Offbeat characters, deadpan humour, odd details and a whimsical visual style.", "Amélie; The Royal Tenenbaums", "Décalé", "Personnages excentriques, humour pince-sans-rire, détails insolites et style visuel fantaisiste."),
    ("dark", "Dark", "Bleak or morbid outlook: death, cruelty or despair dominate and hope is scarce.", "Se7en; Requiem for a Dream", "Sombre", "Vision noire ou morbide : mort, cruauté ou désespoir dominent, l'espoir est rare."),
    ("suspenseful", "Suspenseful", "Keeps the audience anxious about what will happen; tension is held over long stretches.", "Rear Window; No Country for Old Men", "Haletant", "Tient le spectateur dans l'angoisse de ce qui va arriver ; la tension dure de longues séquences."),
    ("uplifting", "Uplifting", "Leaves the audience hopeful or inspired; struggles are overcome.", "The Shawshank Redemption; Hidden Figures", "Exaltant", "Laisse le spectateur plein d'espoir ou d'élan ; les épreuves sont surmontées."),
    ("romantic", "Romantic", "A warm, longing mood around love and attraction colours the whole title.", "In the Mood for Love; Pride & Prejudice (2005)", "Romantique", "Une atmosphère chaleureuse, faite de désir et d'amour, colore tout le titre."),
    ("cerebral", "Cerebral", "Demands active thought: complex ideas, puzzles or structure reward attention.", "Inception; Primer", "Cérébral", "Exige de la réflexion : idées complexes, énigmes ou structure récompensent l'attention."),
    ("gritty", "Gritty", "Raw, unglamorous realism: harsh settings, rough textures, violence with consequences.", "Training Day; City of God", "Âpre", "Réalisme brut et sans fard : décors durs, textures rugueuses, violence aux conséquences réelles."),
    ("feel-good", "Feel-good", "Light and comforting; conflicts are mild and the ending pleases.", "Mamma Mia!; The Intouchables", "Feel-good", "Léger et réconfortant ; les conflits sont doux et la fin réjouit."),
    ("melancholic", "Melancholic", "A lingering, quiet sadness or nostalgia rather than sharp tragedy.", "Lost in Translation; Aftersun", "Mélancolique", "Une tristesse ou une nostalgie douce et persistante plutôt qu'une tragédie aiguë."),
    ("tense", "Tense", "Nervous, high-pressure energy throughout, even outside set pieces.", "Uncut Gems; 12 Angry Men", "Tendu", "Énergie nerveuse et pression constante, même hors des scènes clés."),
    ("whimsical", "Whimsical", "Playful, fanciful and gentle, with a storybook imagination.", "Big Fish; Howl's Moving Castle", "Fantaisiste", "Ludique, fantasque et doux, avec une imagination de livre de contes."),
    ("inspiring", "Inspiring", "Shows people achieving something difficult in a way meant to motivate the audience.", "Rocky; Erin Brockovich", "Inspirant", "Montre des personnes accomplissant quelque chose de difficile de façon à motiver le spectateur."),
    ("bleak", "Bleak", "Hopeless to the end: no relief, no redemption.", "Come and See; The Road", "Désespéré", "Sans espoir jusqu'au bout : ni répit, ni rédemption."),
]

THEMES: list[TagRow] = [
    ("family-relationships", "Family relationships", "Bonds and conflicts between parents, children or siblings drive the story.", "", "Relations familiales", "Liens et conflits entre parents, enfants ou frères et sœurs font avancer l'histoire."),
    ("friendship", "Friendship", "A friendship, its loyalty or its breakdown, is central.", "", "Amitié", "Une amitié, sa loyauté ou sa rupture, est centrale."),
    ("love-and-relationships", "Love and relationships", "Couples, dating, marriage or heartbreak are a main concern.", "", "Amour et couple", "Couples, rencontres, mariage ou rupture sont une préoccupation principale."),
    ("revenge", "Revenge", "A character seeks to punish those who wronged them.", "", "Vengeance", "Un personnage cherche à punir ceux qui lui ont fait du tort."),
    ("redemption", "Redemption", "A character atones for past wrongs and changes.", "", "Rédemption", "Un personnage expie ses fautes passées et change."),
    ("survival", "Survival", "Staying alive against nature, disaster or a hunter is the main goal.", "", "Survie", "Rester en vie face à la nature, une catastrophe ou un prédateur est le but principal."),
    ("identity", "Identity", "Who a character is — gender, culture, self-discovery — is explored.", "", "Identité", "Qui est un personnage — genre, culture, découverte de soi — est exploré."),
    ("power-and-corruption", "Power and corruption", "The pursuit or abuse of power in politics, business or crime.", "", "Pouvoir et corruption", "La quête ou l'abus de pouvoir en politique, dans les affaires ou le crime."),
    ("justice", "Justice", "Law, fairness or the failure of institutions to deliver them.", "", "Justice", "La loi, l'équité ou l'échec des institutions à les garantir."),
    ("good-vs-evil", "Good versus evil", "A clear moral struggle between heroes and villains.", "", "Le bien contre le mal", "Une lutte morale nette entre héros et méchants."),
    ("grief-and-loss", "Grief and loss", "Characters deal with death or a loss that shapes the story.", "", "Deuil et perte", "Les personnages affrontent une mort ou une perte qui façonne l'histoire."),
    ("class-and-money", "Class and money", "Social class, poverty or wealth and the gaps between them.", "", "Classes et argent", "Classe sociale, pauvreté ou richesse et les écarts entre elles."),
    ("technology", "Technology", "The effects of technology on people and society.", "", "Technologie", "Les effets de la technologie sur les personnes et la société."),
    ("nature-and-environment", "Nature and environment", "Wildlife, landscapes or ecological threats are a central concern.", "", "Nature et environnement", "La faune, les paysages ou les menaces écologiques sont une préoccupation centrale."),
    ("addiction", "Addiction", "Dependence on drugs, alcohol or gambling and its consequences.", "", "Addiction", "La dépendance à la drogue, à l'alcool ou au jeu et ses conséquences."),
    ("mental-health", "Mental health", "A character's mental illness or psychological crisis is portrayed seriously.", "", "Santé mentale", "La maladie mentale ou la crise psychologique d'un personnage est traitée sérieusement."),
    ("immigration", "Immigration", "Leaving one's country, exile or settling in a new one.", "", "Immigration", "Quitter son pays, l'exil ou l'installation dans un autre."),
    ("faith-and-religion", "Faith and religion", "Belief, doubt or religious institutions are a subject.", "", "Foi et religion", "La croyance, le doute ou les institutions religieuses sont un sujet."),
    ("heist", "Heist", "Planning and executing a theft is the plot's spine.", "", "Casse", "La préparation et l'exécution d'un vol forment la colonne vertébrale de l'intrigue."),
    ("underdog", "Underdog", "An unlikely competitor takes on stronger opponents.", "", "Outsider", "Un concurrent improbable affronte des adversaires plus forts."),
    ("self-discovery", "Self-discovery", "A character learns what they want or who they are over the story.", "", "Quête de soi", "Un personnage découvre au fil de l'histoire ce qu'il veut ou qui il est."),
    ("isolation", "Isolation", "Loneliness or physical isolation weighs on the characters.", "", "Isolement", "La solitude ou l'isolement physique pèse sur les personnages."),
]

SETTINGS: list[TagRow] = [
    ("big-city", "Big city", "Most of the action takes place in a large city.", "", "Grande ville", "L'essentiel de l'action se passe dans une grande ville."),
    ("small-town", "Small town", "A small town or village where everyone knows each other.", "", "Petite ville", "Une petite ville ou un village où tout le monde se connaît."),
    ("countryside", "Countryside", "Farms, fields, rural landscapes.", "", "Campagne", "Fermes, champs, paysages ruraux."),
    ("wilderness", "Wilderness", "Untamed nature: forests, mountains, deserts, jungle, far from people.", "", "Nature sauvage", "Nature indomptée : forêts, montagnes, déserts, jungle, loin des hommes."),
    ("sea", "At sea", "On or under the sea, on ships or islands.", "", "En mer", "Sur ou sous la mer, à bord de navires ou sur des îles."),
    ("space", "Outer space", "Spaceships, space stations or other planets.", "", "Espace", "Vaisseaux, stations spatiales ou autres planètes."),
    ("school", "School or campus", "A school, college or university is the main place.", "", "École ou campus", "Une école, un lycée ou une université est le lieu principal."),
    ("workplace", "Workplace", "An office, hospital, newsroom or other workplace is the main place.", "", "Lieu de travail", "Un bureau, un hôpital, une rédaction ou un autre lieu de travail est le lieu principal."),
    ("home", "Home", "Mostly inside one home or family house.", "", "Maison", "Surtout à l'intérieur d'une maison ou d'un foyer."),
    ("battlefield", "Battlefield", "Fronts, trenches or combat zones.", "", "Champ de bataille", "Fronts, tranchées ou zones de combat."),
    ("prison", "Prison", "A prison, camp or other place of confinement.", "", "Prison", "Une prison, un camp ou un autre lieu d'enfermement."),
    ("road", "On the road", "A journey by car, train or foot moves the characters from place to place.", "", "Sur la route", "Un voyage en voiture, en train ou à pied mène les personnages d'un lieu à l'autre."),
    ("fantasy-world", "Invented world", "An imaginary world or realm that is not our Earth.", "", "Monde imaginaire", "Un monde ou royaume imaginaire qui n'est pas notre Terre."),
]

# --- ordinal scales 0-5: (level, label, anchor, fr_label, fr_anchor) -----------------------

Level = tuple[int, str, str, str, str]

VIOLENCE: list[Level] = [
    (0, "None", "No violence at all, not even implied: no fights, weapons used on people, or injuries.", "Aucune", "Aucune violence, même suggérée : ni bagarre, ni arme utilisée contre quelqu'un, ni blessure."),
    (1, "Mild", "Slapstick, cartoon or brief scuffles with no injury shown; peril without harm; violence only mentioned.", "Légère", "Burlesque, dessin animé ou brèves bousculades sans blessure visible ; danger sans mal ; violence seulement évoquée."),
    (2, "Moderate", "Occasional fights, shootings or deaths with little or no blood; injuries shown briefly and not dwelt on.", "Modérée", "Bagarres, fusillades ou morts occasionnelles avec peu ou pas de sang ; blessures montrées brièvement, sans insistance."),
    (3, "Strong", "Frequent or realistic violence: bloody injuries shown, people killed on screen, sustained fight or battle scenes.", "Forte", "Violence fréquente ou réaliste : blessures sanglantes montrées, personnes tuées à l'écran, combats ou batailles prolongés."),
    (4, "Intense", "Brutal, graphic violence shown in detail — beatings, torture, executions, sexual violence implied — or violence that dominates the title.", "Intense", "Violence brutale et crue montrée en détail — passages à tabac, torture, exécutions, violence sexuelle suggérée — ou violence qui domine le titre."),
    (5, "Extreme", "Prolonged, sadistic or sexual violence shown explicitly, or cruelty as spectacle throughout.", "Extrême", "Violence prolongée, sadique ou sexuelle montrée explicitement, ou cruauté érigée en spectacle tout du long."),
]
SEX: list[Level] = [
    (0, "None", "No sexual content or nudity: at most hugging or a peck on the cheek.", "Aucun", "Aucun contenu sexuel ni nudité : au plus une étreinte ou une bise."),
    (1, "Mild", "Kissing, romantic embraces, mild innuendo; non-sexual partial nudity (e.g. a bare back, swimwear).", "Léger", "Baisers, étreintes romantiques, sous-entendus légers ; nudité partielle non sexuelle (dos nu, maillot de bain)."),
    (2, "Moderate", "Sex implied off screen or under covers with no nudity; brief non-sexual nudity; frequent innuendo.", "Modéré", "Relations sexuelles suggérées hors champ ou sous les draps sans nudité ; brève nudité non sexuelle ; sous-entendus fréquents."),
    (3, "Strong", "Sex scenes with movement shown but no explicit detail; brief breast or buttock nudity in a sexual context.", "Fort", "Scènes de sexe montrées avec mouvement mais sans détail explicite ; brève nudité (seins, fesses) dans un contexte sexuel."),
    (4, "Intense", "Prolonged or repeated sex scenes, full-frontal nudity, or sexual content central to the title.", "Intense", "Scènes de sexe prolongées ou répétées, nudité frontale intégrale, ou contenu sexuel central dans le titre."),
    (5, "Explicit", "Explicit sexual activity shown in detail (real or realistically simulated).", "Explicite", "Activité sexuelle explicite montrée en détail (réelle ou simulée de façon réaliste)."),
]
LANGUAGE: list[Level] = [
    (0, "None", "No swearing, slurs or crude language.", "Aucun", "Aucun juron, insulte ou langage grossier."),
    (1, "Mild", "Mild exclamations (damn, hell, crap) used rarely; no sexual or discriminatory words.", "Léger", "Jurons légers (zut, bon sang, merde) rares ; aucun mot sexuel ou discriminatoire."),
    (2, "Moderate", "Mild words used often, or up to a few uses of stronger words (shit, bitch, bastard), no strong sexual expletive.", "Modéré", "Jurons légers fréquents, ou quelques mots plus forts (merde, salope, salaud), sans juron sexuel fort."),
    (3, "Strong", "Strong expletives (e.g. the F-word) used a few times, or crude sexual references.", "Fort", "Jurons forts (ex. « putain », « fuck ») employés quelques fois, ou références sexuelles crues."),
    (4, "Intense", "Strong expletives used frequently throughout, or occasional very strong terms or slurs.", "Intense", "Jurons forts employés fréquemment tout du long, ou termes très forts ou insultes discriminatoires occasionnels."),
    (5, "Extreme", "Constant very strong language, aggressive sexual or discriminatory slurs used repeatedly.", "Extrême", "Langage très fort constant, insultes sexuelles ou discriminatoires agressives répétées."),
]
GORE: list[Level] = [
    (0, "None", "No blood, wounds or bodily injury shown.", "Aucun", "Ni sang, ni plaie, ni blessure corporelle montrés."),
    (1, "Mild", "A little blood or minor cuts; a body shown without visible injury.", "Léger", "Un peu de sang ou des coupures légères ; un corps montré sans blessure visible."),
    (2, "Moderate", "Bloody wounds or injuries shown briefly; aftermath of violence seen but not lingered on.", "Modéré", "Plaies sanglantes ou blessures montrées brièvement ; conséquences de la violence vues sans insistance."),
    (3, "Strong", "Blood spatter, open wounds or corpses shown clearly and more than once.", "Fort", "Projections de sang, plaies ouvertes ou cadavres montrés clairement et plus d'une fois."),
    (4, "Intense", "Graphic close-ups of mutilation, dismemberment or surgery; gore is part of the appeal.", "Intense", "Gros plans crus de mutilation, démembrement ou chirurgie ; le gore fait partie de l'attrait."),
    (5, "Extreme", "Sustained, detailed gore meant to shock throughout (splatter, torture-porn).", "Extrême", "Gore détaillé et continu destiné à choquer tout du long (splatter, torture-porn)."),
]
ROMANCE: list[Level] = [
    (0, "None", "No romantic interest between any characters.", "Aucune", "Aucun intérêt amoureux entre les personnages."),
    (1, "Hint", "A romantic interest is mentioned or hinted but never developed.", "Allusion", "Un intérêt amoureux est mentionné ou suggéré mais jamais développé."),
    (2, "Subplot", "A minor romantic subplot with a few scenes.", "Intrigue secondaire", "Une intrigue amoureuse secondaire en quelques scènes."),
    (3, "Significant", "A romantic relationship is a major subplot that affects the main story.", "Importante", "Une relation amoureuse est une intrigue secondaire majeure qui influe sur l'histoire principale."),
    (4, "Central", "Romance is one of the two main plot lines.", "Centrale", "La romance est l'une des deux intrigues principales."),
    (5, "Whole story", "The title is the love story: nearly every scene serves the relationship.", "Toute l'histoire", "Le titre est l'histoire d'amour : presque chaque scène sert la relation."),
]
SUSPENSE: list[Level] = [
    (0, "None", "No suspense: nothing is at risk and there is no question of what will happen.", "Aucun", "Aucun suspense : rien n'est en jeu et aucune question sur la suite."),
    (1, "Low", "Mild curiosity about the outcome; gentle stakes, no danger.", "Faible", "Légère curiosité sur l'issue ; enjeux doux, aucun danger."),
    (2, "Moderate", "A few tense scenes or a real question about the outcome, resolved quickly.", "Modéré", "Quelques scènes tendues ou une vraie question sur l'issue, vite résolue."),
    (3, "Strong", "Recurring tense set pieces with danger to characters the audience cares about.", "Fort", "Des séquences tendues récurrentes où des personnages auxquels on tient sont en danger."),
    (4, "Intense", "Tension sustained over most of the title; frightening or nerve-racking scenes.", "Intense", "Tension maintenue sur la majeure partie du titre ; scènes effrayantes ou éprouvantes."),
    (5, "Relentless", "Continuous, nerve-shredding tension from start to finish with almost no relief.", "Implacable", "Tension continue et éprouvante du début à la fin, presque sans répit."),
]
PLOT_CONCLUSIVENESS: list[Level] = [
    (0, "Open", "No resolution: the main questions are left unanswered or the story simply stops.", "Ouverte", "Aucune résolution : les questions principales restent sans réponse ou l'histoire s'arrête net."),
    (1, "Mostly open", "Hints at an outcome, but the main conflict is unresolved and interpretation is left to the viewer.", "Plutôt ouverte", "Une issue est suggérée, mais le conflit principal n'est pas résolu et l'interprétation est laissée au spectateur."),
    (2, "Ambiguous", "The main conflict ends, but what it means or what happens next is deliberately ambiguous.", "Ambiguë", "Le conflit principal se termine, mais son sens ou la suite sont volontairement ambigus."),
    (3, "Mostly closed", "The main conflict is resolved; some subplots or a sequel hook remain.", "Plutôt fermée", "Le conflit principal est résolu ; quelques intrigues secondaires ou une accroche de suite demeurent."),
    (4, "Closed", "Main conflict and subplots are resolved; characters' fates are clear.", "Fermée", "Le conflit principal et les intrigues secondaires sont résolus ; le sort des personnages est clair."),
    (5, "Fully closed", "Everything is tied up, often with an epilogue showing where each character ends up.", "Entièrement fermée", "Tout est résolu, souvent avec un épilogue montrant le devenir de chaque personnage."),
]

# --- single-select ---------------------------------------------------------------------------

TIME_PERIODS: list[TagRow] = [
    ("prehistory-ancient", "Prehistory and antiquity", "Before about 500 AD: prehistoric times, ancient Egypt, Greece, Rome.", "", "Préhistoire et Antiquité", "Avant environ 500 apr. J.-C. : préhistoire, Égypte, Grèce et Rome antiques."),
    ("medieval", "Middle Ages", "About 500-1500.", "", "Moyen Âge", "Environ 500-1500."),
    ("early-modern", "1500-1800", "Renaissance to the late 18th century.", "", "1500-1800", "De la Renaissance à la fin du XVIIIe siècle."),
    ("19th-century", "19th century", "1800-1899.", "", "XIXe siècle", "1800-1899."),
    ("early-20th-century", "1900-1945", "From 1900 to the end of the Second World War.", "", "1900-1945", "De 1900 à la fin de la Seconde Guerre mondiale."),
    ("mid-20th-century", "1946-1989", "Post-war decades to the end of the Cold War.", "", "1946-1989", "Des décennies d'après-guerre à la fin de la guerre froide."),
    ("contemporary", "Contemporary", "1990 to the time the title was made (the present of its making).", "", "Contemporain", "De 1990 à l'époque de réalisation du titre (son présent)."),
    ("future", "Future", "Later than the time the title was made.", "", "Futur", "Postérieur à l'époque de réalisation du titre."),
    ("timeless", "Timeless or mixed", "No identifiable period, an invented world, or several periods with none dominant.", "", "Intemporel ou mixte", "Aucune époque identifiable, un monde inventé, ou plusieurs époques sans dominante."),
]
AUDIENCES: list[TagRow] = [
    ("young-children", "Young children", "Made for children under 7.", "", "Jeunes enfants", "Conçu pour les moins de 7 ans."),
    ("children", "Children", "Made for children aged 7 to 12.", "", "Enfants", "Conçu pour les 7-12 ans."),
    ("family", "Family", "Made for all ages to watch together.", "", "Famille", "Conçu pour être vu ensemble à tout âge."),
    ("teens", "Teens", "Made for viewers aged 13 to 17.", "", "Adolescents", "Conçu pour les 13-17 ans."),
    ("adults", "Adults", "Made for adults (18 and over).", "", "Adultes", "Conçu pour les adultes (18 ans et plus)."),
]


def _levels(rows: list[Level]) -> list[TagRow]:
    return [(str(level), label, anchor, "", fr_label, fr_anchor) for level, label, anchor, fr_label, fr_anchor in rows]


def _ordinal(slug: str, label: str, definition: str, fr: tuple[str, str], order: int, levels: list[Level], *, required: bool = False, is_maturity: bool = False, weight: float = 1.0) -> dict[str, Any]:
    return {
        "slug": slug, "kind": "ordinal", "label": label, "definition": definition, "required": required,
        "order": order, "is_maturity": is_maturity, "weight": weight, "fr": fr, "tags": _levels(levels),
    }


DIMENSIONS: list[dict[str, Any]] = [
    {"slug": "genre", "kind": "multi", "label": "Genre", "required": True, "order": 10, "is_maturity": False, "weight": 1.5,
     "definition": "Every genre the title clearly belongs to (usually one to three). Choose a genre when it shapes the story or the viewer's expectations, not for a single scene.",
     "fr": ("Genre", "Chaque genre auquel le titre appartient clairement (en général un à trois). Choisir un genre quand il façonne l'histoire ou les attentes du spectateur, pas pour une seule scène."),
     "tags": GENRES},
    {"slug": "tone", "kind": "multi", "label": "Tone", "required": True, "order": 20, "is_maturity": False, "weight": 1.2,
     "definition": "The feel of the title as a whole (one to four tones). Judge the dominant mood across the running time, not the marketing.",
     "fr": ("Ton", "L'impression d'ensemble du titre (un à quatre tons). Juger l'atmosphère dominante sur toute la durée, pas la promotion."),
     "tags": TONES},
    {"slug": "theme", "kind": "multi", "label": "Themes", "required": False, "order": 30, "is_maturity": False, "weight": 1.0,
     "definition": "Subjects the title is about, not merely mentions (up to four). A theme counts when removing it would change the story.",
     "fr": ("Thèmes", "Les sujets dont traite le titre, pas ceux qu'il mentionne seulement (jusqu'à quatre). Un thème compte si l'enlever changerait l'histoire."),
     "tags": THEMES},
    {"slug": "setting", "kind": "multi", "label": "Setting", "required": False, "order": 40, "is_maturity": False, "weight": 0.6,
     "definition": "Places where a substantial part (about a quarter or more) of the title happens.",
     "fr": ("Cadre", "Les lieux où se passe une part importante (environ un quart ou plus) du titre."),
     "tags": SETTINGS},
    _ordinal("violence", "Violence", "The strongest violence the title shows or makes the viewer experience, judged on how realistic, detailed, frequent and prolonged it is. Rate the most intense sustained content, not the average.",
             ("Violence", "La violence la plus forte que le titre montre ou fait vivre, jugée sur son réalisme, son détail, sa fréquence et sa durée. Noter le contenu le plus intense, pas la moyenne."),
             50, VIOLENCE, required=True, is_maturity=True),
    _ordinal("sex", "Sex and nudity", "The most explicit sexual content or nudity shown or clearly implied. Kissing alone is level 1.",
             ("Sexe et nudité", "Le contenu sexuel ou la nudité le plus explicite montré ou clairement suggéré. Un baiser seul correspond au niveau 1."),
             60, SEX, required=True, is_maturity=True),
    _ordinal("language", "Language", "Swearing, crude and discriminatory language, judged by the strongest words used and how often.",
             ("Langage", "Jurons, langage grossier et discriminatoire, jugés d'après les mots les plus forts employés et leur fréquence."),
             70, LANGUAGE, required=True, is_maturity=True),
    _ordinal("gore", "Gore", "How much blood, wounds and bodily damage are shown, independent of how much violence there is.",
             ("Gore", "La quantité de sang, de plaies et de dommages corporels montrés, indépendamment du niveau de violence."),
             80, GORE),
    _ordinal("romance", "Romance", "How much of the story is about a romantic relationship (not sexual content: rate that under Sex).",
             ("Romance", "La part de l'histoire consacrée à une relation amoureuse (pas le contenu sexuel, noté sous Sexe)."),
             90, ROMANCE, weight=0.8),
    _ordinal("suspense", "Suspense", "How much tension and anxiety about what will happen the title sustains.",
             ("Suspense", "La tension et l'angoisse sur la suite que le titre entretient."),
             100, SUSPENSE, weight=0.8),
    _ordinal("plot-conclusiveness", "Plot conclusiveness", "How completely the ending resolves the main conflict and the characters' fates (for episodes, judge the episode's own story).",
             ("Résolution de l'intrigue", "À quel point la fin résout le conflit principal et le sort des personnages (pour un épisode, juger sa propre histoire)."),
             110, PLOT_CONCLUSIVENESS, weight=0.5),
    {"slug": "time-period", "kind": "single", "label": "Time period", "required": False, "order": 120, "is_maturity": False, "weight": 0.6,
     "definition": "When most of the story takes place (not when it was made).",
     "fr": ("Époque", "Quand se déroule l'essentiel de l'histoire (pas quand le titre a été réalisé)."),
     "tags": TIME_PERIODS},
    {"slug": "audience", "kind": "single", "label": "Target audience", "required": False, "order": 130, "is_maturity": False, "weight": 0.8,
     "definition": "The audience the title is made for, judged by its content and storytelling, not by its rating.",
     "fr": ("Public visé", "Le public pour lequel le titre est conçu, jugé d'après son contenu et sa narration, pas sa classification."),
     "tags": AUDIENCES},
    {"slug": "based-on-book", "kind": "boolean", "label": "Based on a book", "required": False, "order": 140, "is_maturity": False, "weight": 0.3,
     "definition": "Yes when the story is adapted from a novel, short story, play, comic or non-fiction book (credited source).",
     "fr": ("Adapté d'un livre", "Oui quand l'histoire est adaptée d'un roman, d'une nouvelle, d'une pièce, d'une bande dessinée ou d'un essai (source créditée)."),
     "tags": []},
    {"slug": "true-story", "kind": "boolean", "label": "True story", "required": False, "order": 150, "is_maturity": False, "weight": 0.4,
     "definition": "Yes when the title presents real events or people, even dramatised (documentaries, biopics, 'based on a true story').",
     "fr": ("Histoire vraie", "Oui quand le titre présente des événements ou personnes réels, même romancés (documentaires, biopics, « d'après une histoire vraie »)."),
     "tags": []},
]
