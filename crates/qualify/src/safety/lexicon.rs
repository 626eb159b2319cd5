//! The built-in brand-safety lexicon, kept as one reviewable table.
//!
//! Each line is `category | severity | term, term, ...`. A term may be a
//! phrase ("mass shooting"); a trailing `*` marks a stem so unambiguous that
//! it is matched inside longer words too ("fuck*" catches "motherfucker").
//! Ambiguous words that influencer captions use innocently ("shoot" for a
//! photo shoot, "killing it", "dead" as laughter, "shot" as a photo) are left
//! out on purpose: a false flag costs a creator a deal.
//!
//! `allow` phrases are consumed before anything else is matched, so their
//! words raise nothing ("massage gun", "photo shoot").
//!
//! Severity follows the GARM framework: `floor` = never appropriate for any
//! brand, then `high` / `medium` / `low` suitability risk.

pub const LEXICON: &str = r#"
adult | floor | porn, porno, pornhub, pornography, xxx, hentai, child porn, blowjob, handjob, cumshot, gangbang, bukkake, creampie, deepthroat
adult | high | nudes, nsfw, onlyfans, only fans, escort, camgirl, sexting, dildo, orgasm, horny, milf, stripper, striptease, fetish, bdsm, cock, tits, titties, boobs, jizz, cum, anal, threesome, erotic
adult | medium | sex, sexual, playboy
adult | low | sexy, booty, twerk, seductive, lingerie, thong, hookup
arms_violence | floor | terrorist, terrorism, jihad, massacre, mass shooting, school shooting, bomb making, ghost gun, gun for sale, guns for sale, behead
arms_violence | high | ak47, ak 47, ar15, ar 15, assault rifle, firearm, ammunition, ammo, grenade, explosives, pipe bomb, murder, murderer, stabbing, kill them, kill you, shoot them, lynching, lynch mob, genocide, torture, rape, rapist
arms_violence | medium | gun, guns, rifle, pistol, shotgun, handgun, weapon, weapons, bullets, violence, violent, assault, beat up, fight club, brawl
arms_violence | low | knife fight, hunting rifle, airsoft, paintball
crime | floor | human trafficking, child trafficking, money laundering, carding, cvv dump, fullz
crime | high | scam, scammer, fraud, counterfeit, fake id, robbery, burglary, shoplifting, ponzi, pyramid scheme, identity theft, extortion, blackmail, cartel, gang member
crime | medium | stolen, hitman, isis, heist, arrested, jail, prison, mugshot, smuggling, illegal
death_injury | floor | gory, gore video, beheading, dead body, corpse, suicide, self harm, selfharm, kill myself, cutting myself
death_injury | high | overdose, fatal crash, car crash, decapitated, mutilated, bloodbath
death_injury | medium | injury, injured, funeral, autopsy, casualties
death_injury | low | death, died
piracy | floor | warez, keygen, crack download, cracked apk, pirated, piracy, torrent*, free movies online, full movie free, watch free movies
piracy | high | free download, iptv, modded apk, mod apk, nulled, bootleg, replica watches, fake designer
hate_obscenity | floor | nigger*, nigga*, niggas, faggot*, fag, fags, dyke, dykes, tranny, trannies, retard, spic, spics, chink, chinks, kike, kikes, wetback, beaner, gook, gooks, raghead, towelhead, coon, coons, white power, sieg heil, heil hitler, kkk, white trash, subhuman, go back to your country
hate_obscenity | high | fuck*, cunt, cunts, motherfucker, whore*, slut*, bitch*, pussy, pussies, cocksucker, twat, wanker, skank, thot, thots, hoe, hoes, hoebag, dick, dicks, dickhead, asshole*, jackass, dumbass, bastard, shit*, bullshit, piss, pissed
hate_obscenity | medium | ass, asses, goddamn, wtf, stfu, idiot, moron
hate_obscenity | low | crap, damn, hell no
drugs_alcohol_tobacco | floor | buy weed, weed for sale, drug dealer, crystal meth, fentanyl, crack cocaine
drugs_alcohol_tobacco | high | cocaine, heroin, meth, mdma, ecstasy, lsd, acid trip, shrooms, magic mushrooms, ketamine, xanax, oxycodone, percocet, codeine, weed, marijuana, cannabis, stoned, high af
drugs_alcohol_tobacco | medium | thc, edibles, vape, vaping, juul, cigarette, cigarettes, cigar, cigars, tobacco, nicotine, drunk, vodka, whiskey, tequila, booze, binge drinking, hangover
drugs_alcohol_tobacco | low | smoking, rum, beer, beers, wine, wines, cocktail, cocktails, champagne, prosecco, cbd, brewery, happy hour
spam_misinformation | floor | malware, phishing, crypto giveaway, double your money, send btc
spam_misinformation | high | buy followers, free followers, get followers, followers for sale, get rich quick, miracle cure, plandemic, vaccines cause autism, 5g covid, chemtrails, flat earth, fake news, hoax, guaranteed returns, investment opportunity
spam_misinformation | medium | follow for follow, followforfollow, f4f, l4l, like for like, likeforlike, follow4follow, sub4sub, dm for promo, link in bio for free, giveaway alert
sensitive_social_issues | high | abortion, pro life, prolife, pro choice, prochoice, death penalty, euthanasia, gun control, gun rights, illegal aliens, illegal immigrants, border wall, conversion therapy
sensitive_social_issues | medium | immigration, immigrants, refugees, racism, racist, sexism, sexist, police brutality, protest, protests, riot, riots
politics | medium | maga, gop, democrats, republicans, propaganda, left wing, right wing, alt right, antifa
politics | low | election, elections, vote, voting, ballot, senator, senate, congress, congressman, parliament, politician, politicians, politics, political, campaign rally, president, prime minister, referendum
allow | - | massage gun, glue gun, heat gun, nail gun, gun show, photo shoot, stolen my heart, died laughing, i died, death by chocolate, cum laude, summa cum laude, magna cum laude, kick ass, badass, smoking hot
"#;
