//! The niches creators live in. Each niche owns a vocabulary that no other
//! niche uses heavily, so a text search for it ranks same-niche creators
//! first, while generic lifestyle words (in `text.rs`) are shared by all, so
//! the separation is realistic rather than perfect.
//!
//! Tables are `|`-separated strings (split once at start-up) because a table of
//! forty-six niches written as nested arrays would be unreadable.

use std::sync::OnceLock;

/// Relative platform weights: instagram, tiktok, youtube, twitch, x, pinterest.
type PlatformMix = [f64; 6];
const IG: PlatformMix = [0.55, 0.25, 0.12, 0.0, 0.03, 0.05];
const VID: PlatformMix = [0.30, 0.35, 0.30, 0.0, 0.05, 0.0];
const GAME: PlatformMix = [0.12, 0.30, 0.30, 0.22, 0.06, 0.0];
const PIN: PlatformMix = [0.45, 0.20, 0.12, 0.0, 0.02, 0.21];
const TALK: PlatformMix = [0.35, 0.25, 0.20, 0.0, 0.20, 0.0];

/// Audience age weights over 13-17, 18-24, 25-34, 35-44, 45-64, 65+.
type AgeMix = [f64; 6];
const YOUNG: AgeMix = [0.14, 0.42, 0.28, 0.09, 0.06, 0.01];
const YA: AgeMix = [0.05, 0.30, 0.36, 0.17, 0.10, 0.02];
const ADULT: AgeMix = [0.02, 0.16, 0.36, 0.25, 0.17, 0.04];
const MATURE: AgeMix = [0.01, 0.07, 0.22, 0.28, 0.32, 0.10];

/// Raw row: name, female audience share, ages, platforms, words, hashtags, handle stems.
type Row = (
    &'static str,
    f64,
    AgeMix,
    PlatformMix,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const ROWS: &[Row] = &[
    ("trail running", 0.45, YA, IG,
     "carbon plate|tempo run|long run|trail shoes|stack height|heel drop|marathon|ultramarathon|fartlek|negative splits|race bib|vert|singletrack|switchbacks|hydration vest|split times|energy gels|rock plate|lugs|taper week|trail race|finish line|aid station|recovery run|toe box|running shoes",
     "running|trailrunning|runnersofinstagram|marathontraining|ultrarunning|runningshoes|trailrunner|runnerscommunity|longrun|raceday|strava",
     "runs|miles|stride|trailpace"),
    ("home-office gear", 0.35, ADULT, VID,
     "standing desk|monitor arm|ergonomic chair|desk setup|cable management|webcam|desk mat|lumbar support|ultrawide monitor|docking station|desk shelf|footrest|task lighting|laptop stand|home office|desk tour|wfh setup|sit-stand converter|acoustic panels|ring light|usb-c hub|under-desk drawer|monitor light bar|productivity setup|zoom calls|cable tray",
     "homeoffice|desksetup|wfh|workfromhome|deskgoals|officesetup|ergonomics|workspace|setupinspiration|remotework|desktour",
     "desk|setups|workspace|deskhq"),
    ("skincare", 0.85, YA, IG,
     "serum|retinol|niacinamide|hyaluronic acid|sunscreen|spf 50|double cleanse|toner|barrier repair|ceramides|vitamin c serum|glass skin|exfoliating acid|aha bha|moisture barrier|sheet mask|skin cycling|dewy finish|acne patches|k-beauty|essence|night cream|pore care|facial oil|gentle cleanser|skincare routine",
     "skincare|skincareroutine|glowingskin|kbeauty|skincaretips|spf|retinol|cleanskin|skincareaddict|skincarecommunity|skincarejunkie",
     "glow|skin|dewy|serums"),
    ("specialty coffee", 0.38, YA, IG,
     "pour over|espresso shot|single origin|light roast|v60|aeropress|latte art|burr grinder|cold brew|tasting notes|extraction|crema|gooseneck kettle|flat white|cortado|coffee beans|washed process|natural process|bloom|portafilter|tamper|dialing in|microfoam|third wave|roastery|cupping",
     "specialtycoffee|coffee|pourover|espresso|latteart|coffeelover|v60|homebarista|coffeetime|aeropress|thirdwavecoffee",
     "brew|roast|coffee|barista"),
    ("vegan cooking", 0.72, YA, PIN,
     "plant-based|tofu scramble|chickpeas|lentil curry|nutritional yeast|cashew cream|tempeh|seitan|oat milk|buddha bowl|meal prep|jackfruit|vegan cheese|aquafaba|plant protein|dairy-free|flax egg|black bean burger|coconut yogurt|miso glaze|cauliflower wings|smoothie bowl|quinoa salad|vegan recipe|cruelty-free|whole foods",
     "vegan|veganrecipes|plantbased|veganfood|whatveganseat|vegancooking|veganmealprep|plantbasedrecipes|crueltyfree|govegan|veganlife",
     "plants|vegan|greens|tofu"),
    ("mechanical keyboards", 0.12, YOUNG, VID,
     "switches|keycaps|linear switches|tactile switches|clicky|lubed switches|stabilizers|gasket mount|hot-swappable|65% layout|tkl|pbt keycaps|thock|artisan keycap|group buy|qmk|via firmware|foam mod|tape mod|keeb|custom build|switch plate|pcb|sound test|coiled cable|spacebar",
     "mechanicalkeyboard|mechanicalkeyboards|keyboards|keycaps|customkeyboard|keeb|mechkeys|keebs|thock|keyboardbuild|mechanicalkeyboardsdaily",
     "keeb|keys|thock|switches"),
    ("houseplants", 0.78, YA, PIN,
     "monstera|pothos|fiddle leaf fig|repotting|propagation|aroid|philodendron|snake plant|grow light|humidity tray|root rot|perlite|moss pole|variegated|calathea|succulents|plant shelf|new leaf|bottom watering|plant haul|cuttings|hoya|alocasia|aroid soil mix|plant parent|terracotta pots",
     "houseplants|plantsofinstagram|urbanjungle|plantparent|monstera|plantlover|indoorplants|plantshelfie|crazyplantlady|aroids|plantcare",
     "leafy|jungle|plantshelf|pothos"),
    ("bouldering", 0.40, YOUNG, IG,
     "bouldering|crimps|slopers|chalk bag|climbing shoes|send|project|v5|beta|dyno|heel hook|toe hook|crash pad|boulder problem|overhang|campus board|hangboard|finger strength|top out|flash|route setting|jugs|pinch|smearing|outdoor boulders|topo",
     "bouldering|climbing|climbinggym|rockclimbing|boulder|climbinglife|sendit|climber|indoorclimbing|hangboard|climbingismypassion",
     "crimp|boulder|send|chalk"),
    ("cycling", 0.22, ADULT, IG,
     "road bike|gravel bike|power meter|watts|ftp test|group ride|chamois|cleats|clipless pedals|crankset|groupset|derailleur|tubeless|saddle|bib shorts|hill climb|century ride|peloton|drafting|zwift|criterium|bike fit|carbon frame|gravel race|bikepacking|chainring",
     "cycling|roadcycling|gravelbike|bikelife|cyclinglife|roadbike|zwift|cyclist|bikeride|outsideisfree|ridemore",
     "rides|pedal|spokes|gravel"),
    ("yoga", 0.86, ADULT, IG,
     "vinyasa|sun salutation|downward dog|yoga mat|asana|pranayama|breathwork|savasana|hatha|yin yoga|chaturanga|crow pose|headstand|mindful flow|namaste|chakra|meditation|yoga retreat|warrior pose|hip openers|backbends|block and strap|flexibility|ashtanga|inversions|morning flow",
     "yoga|yogapractice|yogaeveryday|yogainspiration|vinyasa|yogi|yogalife|meditation|yogaflow|namaste|yinyoga",
     "yoga|flow|asana|om"),
    ("pilates", 0.90, YA, IG,
     "reformer|mat pilates|core work|the hundred|teaser|roll up|pilates ring|spring tension|carriage|footwork|long stretch|wall pilates|pelvic floor|posture|low impact|toning|lagree|clamshells|glute bridges|leg circles|side plank|pilates instructor|barre class|pilates studio|reformer class|powerhouse",
     "pilates|reformerpilates|pilatesinstructor|matpilates|pilatesbody|pilateslove|wallpilates|corestrength|barre|pilatesgirl|pilatesstudio",
     "pilates|reformer|core|barre"),
    ("personal finance", 0.45, ADULT, TALK,
     "index funds|emergency fund|budget|compound interest|roth ira|401k|net worth|debt payoff|high yield savings|sinking funds|dividends|fire movement|side hustle|credit score|etf|expense ratio|zero-based budget|financial independence|frugal|cash stuffing|no-spend month|portfolio|asset allocation|tax return|money tips|paycheck",
     "personalfinance|budgeting|investing|financialfreedom|moneytips|fire|debtfree|savings|financetips|money|wealth",
     "money|budget|wealth|cents"),
    ("parenting", 0.80, ADULT, IG,
     "toddler|newborn|sleep regression|nap schedule|baby-led weaning|diaper bag|stroller|postpartum|breastfeeding|mom life|dad life|playdate|potty training|screen time|school run|bedtime routine|tantrums|sensory play|preschool|family vlog|baby carrier|nursery|gentle parenting|milestones|teething|lunchbox ideas",
     "parenting|momlife|dadlife|motherhood|toddlerlife|parentingtips|newborn|babyledweaning|gentleparenting|familytime|mumlife",
     "mama|family|littles|papa"),
    ("sustainable fashion", 0.82, YA, PIN,
     "thrifted|secondhand|capsule wardrobe|slow fashion|upcycled|mending|organic cotton|linen|ethical brands|vintage find|clothing swap|visible mending|deadstock fabric|repair|wardrobe audit|outfit repeat|30 wears|tencel|natural dyes|depop haul|sustainable style|preloved|closet clean-out|garment care|fair trade|circular fashion",
     "sustainablefashion|slowfashion|thrifted|secondhand|ethicalfashion|whomademyclothes|preloved|capsulewardrobe|vintage|thriftflip|circularfashion",
     "thrift|slow|mended|closet"),
    ("streetwear", 0.25, YOUNG, IG,
     "hoodie|graphic tee|cargo pants|drop day|fit check|oversized fit|limited drop|resell|hype|workwear jacket|layering|beanie|crewneck|bucket hat|puffer|techwear|utility vest|boxy tee|fit pic|lookbook|street style|varsity jacket|baggy jeans|silver chain|archive pieces|heavyweight cotton",
     "streetwear|streetstyle|fitcheck|ootd|hypebeast|streetfashion|outfitinspo|techwear|mensfashion|fitpic|streetwearfashion",
     "fits|drip|street|drops"),
    ("sneakers", 0.18, YOUNG, IG,
     "sneakerhead|retro|colorway|deadstock|og box|jordan 1|dunk low|on feet|raffle|release date|cop or drop|sneaker cleaning|creasing|restock|size run|sneaker rotation|grails|midsole|suede|sneaker collection|lace swap|legit check|bred|air max|new balance 550|w2c",
     "sneakers|sneakerhead|kicks|sneakersaddict|kotd|sneakercollection|jordans|dunks|igsneakercommunity|sneakerculture|copordrop",
     "kicks|soles|sneaks|laces"),
    ("makeup", 0.92, YOUNG, VID,
     "foundation|concealer|eyeshadow palette|blush|highlighter|lipstick|lip liner|mascara|setting spray|contour|beauty blender|brow gel|eyeliner|full glam|no-makeup makeup|primer|bronzer|swatches|cut crease|lash glue|dupes|makeup tutorial|matte finish|lip gloss|grwm|color correcting",
     "makeup|mua|makeuptutorial|beauty|makeupartist|glam|makeuplover|eyeshadow|grwm|makeuplook|beautyinfluencer",
     "glam|mua|beauty|lashes"),
    ("hair care", 0.88, YA, VID,
     "curly hair|wash day|leave-in conditioner|hair mask|heat protectant|silk pillowcase|scalp care|hair oil|blowout|curl cream|diffuser|frizz|bond repair|balayage|hair growth|braids|protective styles|deep conditioning|clarifying shampoo|hair porosity|heatless curls|claw clip|split ends|curtain bangs|hair routine|sulfate-free",
     "haircare|curlyhair|hairgoals|washday|naturalhair|hairtips|healthyhair|curlygirl|hairstyles|hairroutine|heatlesscurls",
     "curls|tresses|hair|washday"),
    ("fitness", 0.35, YA, VID,
     "deadlift|squat rack|bench press|progressive overload|hypertrophy|one rep max|barbell|powerlifting|macros|protein shake|creatine|leg day|push pull legs|deload|bulk|cutting phase|gym bro|pre-workout|rep range|lifting belt|rdl|pull-ups|gains|form check|home gym|dumbbells",
     "fitness|gym|weightlifting|powerlifting|gymlife|fitnessmotivation|legday|bodybuilding|strengthtraining|gains|workout",
     "lifts|gains|barbell|strong"),
    ("travel vlogging", 0.58, YA, VID,
     "itinerary|hidden gems|carry-on|packing list|old town|street food|boutique hotel|day trip|layover|travel hacks|sunset viewpoint|rooftop bar|city guide|travel vlog|solo travel|hostel|passport|airport lounge|jet lag|bucket list|scenic train|island hopping|backpacker hostel|local market|travel tips|budget travel",
     "travel|travelvlog|wanderlust|travelgram|solotravel|travelblogger|traveltips|instatravel|exploremore|bucketlist|travelguide",
     "travels|wander|abroad|passport"),
    ("van life", 0.48, YA, VID,
     "campervan|van conversion|skylight|solar panels|off-grid|boondocking|composting toilet|diesel heater|van build|fresh water tank|house battery|swivel seat|overlanding|nomad|road trip|blm land|fold-out bed|starlink|sprinter van|insulation|van kitchen|full-time travel|tiny home on wheels|vanlifers|park up|leveling blocks",
     "vanlife|vanlifers|campervan|vanbuild|homeonwheels|vanlifestyle|vanconversion|nomad|offgrid|roadtrip|vanlifediaries",
     "vanlife|rolling|nomads|vandwellers"),
    ("camping & hiking", 0.45, ADULT, IG,
     "thru-hike|trailhead|summit|tent|sleeping bag|trekking poles|day hike|elevation gain|leave no trace|base weight|camp stove|water filter|headlamp|backcountry|national park|wild camping|ridge walk|alpine lake|hiking boots|campfire|bear canister|ultralight|hammock|map and compass|fire tower|trail mix",
     "hiking|camping|backpacking|outdoors|hikingadventures|optoutside|nature|wildcamping|trekking|getoutside|mountains",
     "hikes|summits|outdoors|basecamp"),
    ("fishing", 0.12, MATURE, VID,
     "fly fishing|bass fishing|tackle box|lures|spinning reel|fishing rod|catch and release|trout|carp|baitcaster|topwater|jig head|fly tying|kayak fishing|walleye|pike|fishing line|drag setting|hookset|fish finder|bank fishing|ice fishing|personal best fish|crankbait|largemouth|tight lines",
     "fishing|bassfishing|flyfishing|fishinglife|fishon|tightlines|anglers|troutfishing|carpfishing|kayakfishing|catchandrelease",
     "angler|reels|casts|tackle"),
    ("gardening", 0.66, MATURE, PIN,
     "raised beds|compost|seed starting|tomatoes|companion planting|mulch|seedlings|harvest|heirloom seeds|kitchen garden|perennials|pruning|allotment|dahlias|no-dig|greenhouse|zucchini|squash|frost dates|pollinators|rain barrel|weeding|potting bench|cut flowers|grow your own|vegetable patch",
     "gardening|garden|growyourown|vegetablegarden|allotment|gardeninspiration|homegrown|gardenlife|raisedbeds|organicgardening|nodig",
     "garden|grows|plot|allotment"),
    ("baking", 0.76, ADULT, PIN,
     "sourdough|starter|crumb shot|banneton|proofing|laminated dough|croissants|buttercream|layer cake|cookie dough|stand mixer|bread flour|scoring|dutch oven|bake sale|brioche|macarons|pie crust|ganache|cinnamon rolls|piping bag|oven spring|cupcakes|focaccia|puff pastry|levain",
     "baking|sourdough|homebaking|bread|bakersofinstagram|cake|realbread|sourdoughbread|bakinglove|pastry|homemadebread",
     "bakes|crumb|dough|oven"),
    ("bbq", 0.15, ADULT, VID,
     "brisket|smoker|bark|pulled pork|dry rub|wood chips|low and slow|pellet grill|burnt ends|spare ribs|charcoal|meat thermometer|offset smoker|smoke ring|kamado|reverse sear|tri-tip|pitmaster|bbq sauce|butcher paper|the stall|hickory|post oak|resting the meat|grill marks|smash burgers",
     "bbq|barbecue|smokedmeat|brisket|lowandslow|grilling|pitmaster|bbqlife|meatlovers|smoker|pelletgrill",
     "smoke|pit|grill|brisket"),
    ("wine", 0.52, MATURE, IG,
     "natural wine|on the palate|pinot noir|chardonnay|tannins|old vines|sommelier|decanter|terroir|wine cellar|orange wine|riesling|sparkling|champagne|grape variety|wine pairing|bottle shop|barrel aged|acidity|bordeaux|rioja|winery visit|blind tasting|dry finish|pet nat|syrah",
     "wine|winelover|wineoclock|naturalwine|winetasting|sommelier|instawine|winetime|redwine|vino|winepairing",
     "vino|cellar|grapes|sips"),
    ("craft beer", 0.20, ADULT, IG,
     "ipa|hazy ipa|stout|sour beer|brewery|taproom|hops|homebrew|pale ale|double dry hopped|barrel-aged stout|lager|pilsner|can release|beer flight|mouthfeel|malt|untappd|brew day|fermentation|beer can art|head retention|saison|gose|session ale|tap list",
     "craftbeer|beer|ipa|beerstagram|brewery|homebrew|hazyipa|craftbeerlover|beertime|drinklocal|beergeek",
     "hops|pints|brews|taps"),
    ("cocktails", 0.50, ADULT, IG,
     "negroni|old fashioned|mezcal|gin and tonic|bitters|cocktail shaker|jigger|simple syrup|garnish|home bar|spritz|margarita|coupe glass|clear ice|stirred not shaken|bar cart|vermouth|rum punch|mocktail|infused syrup|muddler|citrus twist|whiskey sour|highball|aperitivo|tiki",
     "cocktails|mixology|cocktail|homebar|drinks|bartender|cocktailtime|mixologist|craftcocktails|negroni|happyhour",
     "shaken|stirred|bar|cocktail"),
    ("board games", 0.35, ADULT, VID,
     "board game night|meeples|deck builder|worker placement|cooperative game|expansion|kickstarter|tabletop|dice tower|euro game|game shelf|shelf of shame|solo play|campaign game|card sleeves|legacy game|dungeon crawler|game table|rulebook|victory points|strategy game|party game|miniatures|playthrough|first impressions|boardgamegeek",
     "boardgames|tabletop|boardgamegeek|meeples|boardgamenight|tabletopgames|bgg|boardgamer|gamenight|boardgamecollection|solotabletop",
     "meeple|dice|tabletop|games"),
    ("retro gaming", 0.18, YOUNG, GAME,
     "retro gaming|cartridge|crt tv|speedrun|emulator|console|handheld|pixel art|n64|snes|game boy|arcade|let's play|boss fight|controller|save file|achievement|lore|indie game|rpg|fps|open world|loot|patch notes|stream highlights|gameplay",
     "gaming|retrogaming|gamer|videogames|retrogames|nintendo|playstation|indiegames|speedrun|twitchstreamer|gamingcommunity",
     "pixel|gamer|retro|plays"),
    ("photography", 0.35, ADULT, IG,
     "aperture|shutter speed|iso|prime lens|golden hour|composition|lightroom preset|raw files|bokeh|street photography|tripod|long exposure|focal length|portrait session|editing workflow|mirrorless|wide angle|natural light|color grading|depth of field|exposure|rule of thirds|landscape shot|50mm lens|camera bag|photo walk",
     "photography|photooftheday|photographer|streetphotography|landscapephotography|portraitphotography|lightroom|mirrorless|photowalk|naturallight|compositionmatters",
     "shoots|frames|lens|clicks"),
    ("film cameras", 0.30, YA, IG,
     "35mm film|medium format|film roll|kodak portra|ilford hp5|darkroom|film lab|rangefinder|expired film|point and shoot|negatives|contact sheet|film scanning|grain|half frame|light leaks|slr|film stock|push processing|light meter|developing at home|120 film|cinestill|analog|c-41|film soup",
     "filmphotography|35mm|analog|filmisnotdead|shootfilm|mediumformat|portra400|believeinfilm|analogphotography|ishootfilm|filmcommunity",
     "film|analog|negatives|grain"),
    ("dogs", 0.72, ADULT, IG,
     "puppy|dog walk|golden retriever|leash training|dog park|treats|recall training|chew toy|rescue dog|good boy|zoomies|dog bed|dog groomer|crate training|dog mom|fetch|harness|paws|kibble|dog friendly|off-leash|doodle|puppy class|sniffari|tail wags|doggo",
     "dogsofinstagram|dog|puppy|dogs|doglover|dogstagram|rescuedog|dogtraining|goldenretriever|puppylove|doglife",
     "pup|woof|doggo|paws"),
    ("cats", 0.76, ADULT, IG,
     "kitten|cat tree|litter box|scratching post|purring|catnip|indoor cat|cat toys|meow|loaf mode|tabby|cat cafe|shelter cat|whiskers|wet food|hairball|window perch|cat nap|black cat|ragdoll|maine coon|blep|slow blink|cat mom|cat feeder|kneading",
     "catsofinstagram|cats|cat|kitten|catlover|catstagram|meow|catlife|adoptdontshop|blackcat|catmom",
     "meow|kitty|purr|whiskers"),
    ("aquariums", 0.20, ADULT, VID,
     "planted tank|nano tank|aquascape|shrimp tank|betta|water change|nitrogen cycle|co2 injection|driftwood|dragon stone|canister filter|neon tetras|java fern|substrate|algae|reef tank|coral|nitrates|aquarium plants|fish room|iwagumi|carpeting plants|snails|guppies|tank tour|ph levels",
     "aquarium|aquascape|plantedtank|fishtank|aquascaping|reeftank|betta|nanotank|shrimptank|aquariumhobby|fishkeeping",
     "tanks|aqua|reef|scapes"),
    ("woodworking", 0.10, MATURE, VID,
     "table saw|dovetail joints|wood glue|sanding|router table|walnut slab|epoxy river|shop-made jig|workbench|hand plane|chisels|clamps|miter saw|joinery|wood finish|hardwood|shop tour|offcuts|sawdust|mortise and tenon|drill press|cutting board|live edge|build plan|dust collection|wood stain",
     "woodworking|diy|woodwork|maker|handmade|woodworker|carpentry|woodshop|diyproject|woodcraft|makersgonnamake",
     "woodshop|sawdust|makes|timber"),
    ("interior design", 0.80, ADULT, PIN,
     "mood board|accent wall|living room refresh|neutral palette|rug|throw pillows|gallery wall|lighting plan|boucle|mid-century|paint swatch|styling shelves|japandi|sofa|curtains|home decor|room makeover|before and after|coffee table styling|statement lamp|wallpaper|renovation|bedroom makeover|layered textures|color drenching|kitchen reno",
     "interiordesign|homedecor|interior|interiors|homeinspo|livingroom|roommakeover|decor|homestyling|japandi|interiorinspo",
     "home|nest|rooms|interiors"),
    ("minimalism", 0.62, ADULT, TALK,
     "declutter|less stuff|intentional living|digital minimalism|one in one out|konmari|sentimental items|simple living|decluttering challenge|clutter free|donation box|needs vs wants|minimalist home|buy nothing|tidy|empty surfaces|mindful spending|quiet life|slow living|only essentials|tiny apartment|owning less|spark joy|clear countertops|minimalist wardrobe|habit tracker",
     "minimalism|minimalist|declutter|simpleliving|intentionalliving|lessismore|slowliving|minimalistlifestyle|konmari|decluttering|minimalistliving",
     "less|simple|essentials|calm"),
    ("tech reviews", 0.15, YA, VID,
     "smartphone|battery life|camera test|unboxing|flagship|benchmark|refresh rate|oled display|fast charging|android|ios update|wireless earbuds|spec sheet|hands-on|review unit|processor|storage tiers|foldable|trade-in value|screen protector|tech deals|gadget|5g|zoom lens|mid-range phone|drop test",
     "tech|smartphone|techreview|gadgets|android|iphone|unboxing|technology|techtok|newphone|mobiletech",
     "tech|gadgets|unboxed|specs"),
    ("evs", 0.12, ADULT, VID,
     "electric car|range anxiety|supercharger|home charger|kwh|regen braking|charging stop|battery degradation|ev road trip|heat pump|level 2 charger|one-pedal driving|autopilot|over-the-air update|charge curve|efficiency|ev ownership|test drive|frunk|plug-in hybrid|charging speed|winter range|ev tax credit|wall box|charging network|miles per kwh",
     "ev|electricvehicle|electriccar|evlife|tesla|evcharging|gogreen|zeroemissions|electricvehicles|emobility|drivelectric",
     "volts|charged|ev|amps"),
    ("watches", 0.10, MATURE, IG,
     "automatic movement|dive watch|chronograph|wrist shot|bezel|dial|strap change|nato strap|sapphire crystal|power reserve|microbrand|gmt|lume shot|watch box|case size|bracelet|field watch|patina|complication|watch collection|wrist roll|tool watch|dress watch|hand-wound|date window|lug to lug",
     "watches|watch|watchesofinstagram|wristshot|watchcollector|watchfam|horology|wristwatch|divewatch|watchoftheday|wotd",
     "wrist|dials|ticks|horology"),
    ("books", 0.78, YA, VID,
     "tbr pile|book haul|fantasy series|romance novel|annotating|bookshelf tour|reading slump|five stars|book club|audiobook|kindle|plot twist|enemies to lovers|slow burn|debut novel|reading challenge|bookmark|library haul|chapter|thriller|book review|dnf|arc copy|cozy mystery|literary fiction|reading nook",
     "booktok|bookstagram|books|reading|booklover|bookish|tbr|bookreview|booksofinstagram|currentlyreading|bookworm",
     "reads|pages|shelf|bookish"),
    ("language learning", 0.60, YA, VID,
     "vocabulary|flashcards|fluency|grammar|duolingo streak|immersion|language exchange|spaced repetition|conjugation|pronunciation|polyglot|anki deck|native speaker|listening practice|shadowing|kanji|verb tenses|phrasebook|accent|subtitles|speaking practice|study session|comprehensible input|language goals|b2 level|false friends",
     "languagelearning|polyglot|learnlanguages|studygram|duolingo|learnspanish|learnjapanese|language|languages|fluency|langblr",
     "lingo|fluent|words|polyglot"),
    ("men's grooming", 0.15, YA, VID,
     "beard oil|beard balm|safety razor|shaving brush|pomade|fade haircut|aftershave|cologne|fragrance notes|barber visit|beard trimmer|hair clay|mens skincare|shave soap|sideburns|mustache wax|styling paste|beard comb|straight razor|hot towel|grooming kit|quiff|face wash|signature scent|line up|mens hairstyle",
     "grooming|beard|mensgrooming|barber|beardcare|menshair|shaving|fragrance|mensstyle|beardgang|wetshaving",
     "beard|groomed|razor|dapper"),
    ("dance", 0.70, YOUNG, VID,
     "choreography|dance challenge|freestyle|hip hop|contemporary|ballet|dance studio|rehearsal|isolations|heels class|dance battle|8-count|dance cover|k-pop|breaking|popping|salsa|bachata|spins|turnout|dance crew|audition|dance tutorial|recital|groove|tutting",
     "dance|dancer|choreography|dancechallenge|dancevideo|hiphop|dancers|kpopdance|ballet|dancelife|dancecover",
     "moves|groove|dances|steps"),
];

/// A niche with its vocabulary and the audience it attracts.
#[derive(Debug)]
pub struct Niche {
    pub name: &'static str,
    /// Audience female share (the rest is male and a little `other`).
    pub female: f64,
    pub ages: [f64; 6],
    /// Weights over instagram, tiktok, youtube, twitch, x, pinterest.
    pub platforms: [f64; 6],
    /// Distinctive words and phrases used in bios, captions and comments.
    pub words: Vec<&'static str>,
    /// Hashtags without `#`.
    pub tags: Vec<&'static str>,
    /// Short words for handles and fictional brand accounts.
    pub stems: Vec<&'static str>,
}

/// All niches, built once.
pub fn niches() -> &'static [Niche] {
    static NICHES: OnceLock<Vec<Niche>> = OnceLock::new();
    NICHES.get_or_init(|| {
        ROWS.iter()
            .map(|&(name, female, ages, platforms, w, t, s)| Niche {
                name,
                female,
                ages,
                platforms,
                words: w.split('|').collect(),
                tags: t.split('|').collect(),
                stems: s.split('|').collect(),
            })
            .collect()
    })
}

/// Names of all niches, in table order.
pub fn niche_names() -> Vec<&'static str> {
    ROWS.iter().map(|r| r.0).collect()
}

/// Words and phrases of the niche at `k` (in [`niche_names`] order).
pub fn niche_words(k: usize) -> &'static [&'static str] {
    &niches()[k].words
}

/// Hashtags (without `#`) of the niche at `k`.
pub fn niche_hashtags(k: usize) -> &'static [&'static str] {
    &niches()[k].tags
}
