//! Which tracking-link hits are not people. A link pasted into a chat or a
//! post is fetched at once by the platform's preview service; counting those
//! as clicks would credit creators for robots and, worse, link a customer to
//! a click they never made. So the test leans towards "bot" for anything that
//! announces itself as automated, and stays cheap: it runs on the redirect
//! path for every hit.

/// Case-insensitive substrings of user agents of crawlers, link-preview
/// fetchers, in-app preloaders and HTTP libraries.
const BOT_TOKENS: &[&str] = &[
    // Generic self-descriptions; "bot" also covers Googlebot, bingbot,
    // Twitterbot, Slackbot, Discordbot, TelegramBot, LinkedInBot,
    // Pinterestbot, Applebot, DuckDuckBot, YandexBot, AhrefsBot, …
    "bot",
    "crawler",
    "crawl",
    "spider",
    "preview",
    "scraper",
    "fetcher",
    "headless",
    "lighthouse",
    "pingdom",
    "monitor",
    // Link-preview fetchers whose names lack the generic tokens.
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "meta-externalfetcher",
    "whatsapp",
    "slack-imgproxy",
    "skypeuripreview",
    "embedly",
    "iframely",
    "outbrain",
    "vkshare",
    "w3c_validator",
    "bitlybot",
    "redditbot",
    "mastodon",
    "pleroma",
    // TikTok and ByteDance crawlers ("BytedanceWebview" is TikTok's in-app
    // browser, a person, so "bytedance" alone is not a token).
    "bytespider",
    "tiktokspider",
    // HTTP libraries and command-line tools.
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "go-http-client",
    "okhttp",
    "java/",
    "apache-httpclient",
    "libwww-perl",
    "node-fetch",
    "axios/",
    "undici",
    "postmanruntime",
    "insomnia",
    "httpie",
    "scrapy",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
];

/// Real browsers whose UA happens to contain a token above.
const HUMAN_EXCEPTIONS: &[&str] = &[
    // Pinterest's in-app browser is a person.
    "pinterest/ios",
    "pinterest/android",
    "cubot", // a phone brand: "CUBOT_X30" in Android UAs
];

/// True when a tracking-link hit should not count as a person's click.
pub fn is_bot(method: &str, user_agent: Option<&str>) -> bool {
    // Preview services probe with HEAD; browsers never follow a link with it.
    if method.eq_ignore_ascii_case("HEAD") {
        return true;
    }
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    if HUMAN_EXCEPTIONS.iter().any(|t| ua.contains(t)) {
        return false;
    }
    // A UA with no product token at all ("-", "x") is a script's placeholder.
    if !ua.contains('/') {
        return true;
    }
    BOT_TOKENS.iter().any(|t| ua.contains(t))
}

#[cfg(test)]
mod tests {
    use super::is_bot;

    const HUMANS: &[&str] = &[
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.40.92 (iPhone15,3; iOS 17_4; en_US; en; scale=3.00; 1290x2796; 604253453)",
        "Mozilla/5.0 (Linux; Android 13; SM-S918B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/123.0.6312.118 Mobile Safari/537.36 musical_ly_2023405040 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/34.5.4 ByteLocale/en ByteFullLocale/en Region/US",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.6;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Pinterest/iOS/12.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 BytedanceWebview/d8a21c6 musical_ly_32.9.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US",
        "Mozilla/5.0 (Linux; Android 12; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
    ];

    const BOTS: &[&str] = &[
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "facebookexternalhit/1.1;line-poker/1.0",
        "Mozilla/5.0 (compatible; Facebot/1.0)",
        "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        "WhatsApp/2.23.20.0",
        "WhatsApp/2.2413.51 i",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Slack-ImgProxy (+https://api.slack.com/robots)",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Pinterestbot/1.0 (+http://www.pinterest.com/bot.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/124.0.6367.118 Safari/537.36",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (compatible; TikTokSpider; ttspider-feedback@tiktok.com)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.31.0",
        "Go-http-client/2.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (compatible; Embedly/0.2; +http://support.embed.ly/)",
        "Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5",
        "Iframely/1.3.1 (+https://iframely.com/docs/about)",
        "redditbot/1.0",
        "Mastodon/4.2.8 (http.rb/5.1.1; +https://mastodon.social/)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36 link preview",
        "-",
    ];

    #[test]
    fn real_browsers_and_in_app_browsers_are_people() {
        for ua in HUMANS {
            assert!(!is_bot("GET", Some(ua)), "{ua}");
        }
    }

    #[test]
    fn crawlers_previewers_and_tools_are_bots() {
        for ua in BOTS {
            assert!(is_bot("GET", Some(ua)), "{ua}");
        }
    }

    #[test]
    fn head_requests_and_missing_agents_are_bots() {
        assert!(is_bot("HEAD", Some(HUMANS[0])));
        assert!(is_bot("head", Some(HUMANS[0])));
        assert!(is_bot("GET", None));
        assert!(is_bot("GET", Some("")));
        assert!(is_bot("GET", Some("   ")));
    }
}
