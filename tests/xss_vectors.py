"""Hostile text for the XSS tests: vectors from public corpora, typed into every free-text field.

Sources (each group below says which):

- OWASP, "XSS Filter Evasion Cheat Sheet" (RSnake's list, maintained by OWASP):
  https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html
  (text from github.com/OWASP/CheatSheetSeries, cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.md).
- DOMPurify's test fixtures (cure53; many of them first collected on html5sec.org):
  https://github.com/cure53/DOMPurify/blob/main/test/fixtures/expect.mjs ("payload" values).
- PortSwigger, "Cross-site scripting (XSS) cheat sheet":
  https://portswigger.net/web-security/cross-site-scripting/cheat-sheet
  (data from github.com/PortSwigger/xss-cheatsheet-data, json/*.json; the file is named per group).

Normalisation, so that a vector that ran would be seen by the browser test (a dialog, or
`window.__xss` set) and so that every vector fits every field:

- Scripts, scriptlets and movies loaded from a remote host (xss.rocks, ha.ckers.org, a CDN) are
  loaded from a `data:` URL holding `alert(1)` instead: there is no network in the tests.
- Payloads that only navigate or send cookies away run `alert(1)` or set `window.__xss` instead;
  a few others use `confirm(1)`, `prompt(1)` or `window.__xss=1` so every channel is watched.
- NUL bytes are left out (PostgreSQL text cannot hold them and Django's forms refuse them);
  DOMPurify's \\x01 and \\x03 variants of the same trick are kept.
- VBScript and Netscape "livescript:" vectors are left out (not JavaScript).
- Every vector is at most 200 characters, the smallest limit of a field that takes them all (the
  contact officer, the search box): long entity-padded payloads encode `alert(1)` rather than
  `alert('XSS')`; the longest fixtures are left out.

PDF_VECTORS are not XSS but what WeasyPrint turns into PDF features (attachments, links to local
files and scripts; WeasyPrint's documentation, "Attachments" and "Links"), for the PDF checks.
"""

# OWASP XSS Filter Evasion Cheat Sheet, in the cheat sheet's order ----------------------------
OWASP = [
    "<SCRIPT SRC=data:,alert(1)></SCRIPT>",  # Basic XSS test (remote src normalised)
    # XSS locator (polyglot)
    "javascript:/*--></title></style></textarea></script></xmp>\n"
    "<svg/onload='+/\"`/+/onmouseover=1/+/[*/[]/+alert(42);//'>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',  # Malformed A tags
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',  # Malformed IMG tags
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",  # fromCharCode
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",  # Default SRC tag
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',  # On error alert
    # IMG onerror and JavaScript alert encode (padded decimal references of alert(1))
    '<img src=x onerror="&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041">',
    # Decimal HTML character references
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;"
    "&#39;&#88;&#83;&#83;&#39;&#41;>",
    # Decimal references without trailing semicolons, padded (javascript:alert(1))
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116"
    "&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041>",
    # Hexadecimal references without trailing semicolons
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58"
    "&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",  # Embedded tab
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",  # Embedded encoded tab
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",  # Embedded newline
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",  # Embedded carriage return
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",  # Spaces and meta chars before javascript:
    '<SCRIPT/XSS SRC="data:,alert(1)"></SCRIPT>',  # Non-alpha-non-digit
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<SCRIPT/SRC="data:,alert(1)"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',  # Extraneous open brackets
    "<SCRIPT SRC=data:,alert(1)?< B >",  # No closing script tags
    "<IMG SRC=\"javascript:alert('XSS')\"",  # Half open HTML/JavaScript
    "<iframe src=javascript:alert(1) <",  # Double open angle brackets (remote src normalised)
    "\\\";alert('XSS');//",  # Escaping JavaScript escapes
    "</script><script>alert('XSS');</script>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',  # End title tag
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<svg/onload=alert('XSS')>",  # SVG object tag
    "Set.constructor`alert\\x28document.domain\\x29",  # ECMAScript 6
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",  # & JavaScript includes
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    'exp/*<A STYLE=\'no\\xss:noxss("*//*");\nxss:ex/*XSS*//*/*/pression(alert("XSS"))\'>',
    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
    "<STYLE>.XSS{background-image:url(\"javascript:alert('XSS')\");}</STYLE><A CLASS=XSS></A>",
    '<STYLE type="text/css">BODY{background:url("javascript:alert(\'XSS\')")}</STYLE>',
    "<XSS STYLE=\"xss:expression(alert('XSS'))\">",  # Anonymous HTML with STYLE attribute
    "\u00bcscript\u00bealert(\u00a2XSS\u00a2)\u00bc/script\u00be",  # US-ASCII encoding
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070"
    "\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053\\0027\\0029'\\0029\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<!--[if gte IE 4]>\n<SCRIPT>alert('XSS');</SCRIPT>\n<![endif]-->",  # Downlevel-hidden block
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="data:text/html,<script>alert(1)</script>"></OBJECT>',
    # EMBED an SVG which contains the XSS vector (a shorter SVG: <svg ... onload="alert(1)"/>)
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxl'
    'cnQoMSkiLz4=" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    # XML data island with CDATA obfuscation
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(\'XSS\')"></B></I></XML>',
    # SSI (remote src normalised)
    "<!--#exec cmd=\"/bin/echo '<SCR'\"--><!--#exec cmd=\"/bin/echo 'IPT SRC=data:,alert(1)></SCRIPT>'\"-->",
    "<? echo('<SCR)';\necho('IPT>alert(\"XSS\")</SCRIPT>'); ?>",  # PHP
    '<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert(\'XSS\')</SCRIPT>">',  # Cookie manipulation
    # UTF-7 encoding
    '<HEAD><META HTTP-EQUIV="CONTENT-TYPE" CONTENT="text/html; charset=UTF-7"> </HEAD>'
    "+ADw-SCRIPT+AD4-alert('XSS');+ADw-/SCRIPT+AD4-",
    # XSS using HTML quote encapsulation (httx:// sources normalised)
    '<SCRIPT a=">" SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT =">" SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT a=">" \'\' SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT "a=\'>\'" SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT a=`>` SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT a=">\'>" SRC="data:,alert(1)"></SCRIPT>',
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="data:,alert(1)"></SCRIPT>',
    '<A HREF="javascript:window.__xss=1">XSS</A>',  # JavaScript link location (navigation normalised)
    "<img onload=\"eval(atob('YWxlcnQoMSk='))\">",  # Base64 encoding (payload normalised)
]

# DOMPurify test/fixtures/expect.mjs ("payload" values) ----------------------------------------
DOMPURIFY = [
    '<b href="javascript:alert(1)" title="javascript:alert(2)"></b>',
    "123<a href='\u2028javascript:alert(1)'>I am a dolphin!</a>",  # JavaScript URIs using Unicode LS/PS
    # JavaScript URIs using Unicode whitespace (three of the fixture's nineteen)
    "123<a href=' javascript:alert(1)'>CLICK</a><a href='&#xA0javascript:alert(1)'>CLICK</a>",
    "<a href='&#x1680;javascript:alert(1)'>CLICK</a><a href='&#x180E;javascript:alert(1)'>CLICK</a>",
    "<a href='&#x2000;javascript:alert(1)'>CLICK</a><a href='&#x3000;javascript:alert(1)'>CLICK</a>",
    '<form onmouseover=\'alert(1)\'><input name="attributes"><input name="attributes">',  # @irsdl
    "<div onclick=alert(0)><form onsubmit=alert(1)><input onfocus=alert(2) name=parentNode>123</form></div>",
    "<form onsubmit=alert(1)><input onfocus=alert(2) name=nodeName>123</form>",
    '<listing>&lt;img onerror="alert(1);//" src=x&gt;<t t></listing>',  # mXSS variation I
    "<img src=x id/=' onerror=alert(1)//'>",  # mXSS variation II
    "<textarea>@shafigullin</textarea><!--</textarea><img src=x onerror=alert(1)>-->",
    "<b><noscript><!-- </noscript><img src=x onerror=alert(1) --></noscript>",
    '<b><noscript><a alt="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<body><template><s><template><s><img src=x onerror=alert(1)>@shafigullin</s></template></s></template>",
    '<a href="\x01java\x03script:alert(1)">@shafigullin<a>',  # Low-range-ASCII obfuscated JavaScript URI
    "\x01<option><style></option></select><b><img src=x onerror=alert(1)></style></option>",
    "<option><iframe></select><b><script>alert(1)</script>",
    "<b><style><style/><img src=x onerror=alert(1)>",
    "<b><style><style////><img src=x onerror=alert(1)></style>",
    "<image name=body><image name=adoptNode>@mmrupp<image name=firstElementChild><svg onload=alert(1)>",
    "<image name=activeElement><svg onload=alert(1)>",
    "<image name=body><img src=x><svg onload=alert(1); autofocus>, <keygen onfocus=alert(1); autofocus>",
    '<div onmouseout="javascript:alert(/superevr/)" x=yscript: n>@superevr</div>',
    '<button remove=me onmousedown="javascript:alert(1);" onclick="javascript:alert(1)" >@giutro',
    '<a href="javascript:123" onclick="alert(1)">CLICK ME (bypass by @shafigullin)</a>',
    '<isindex x="javascript:" onmouseover="alert(1)" label="variation of bypass by @giutro">',
    "<div wow=removeme onmouseover=alert(1)>text",
    "<input x=javascript: autofocus onfocus=alert(1)><svg id=1 onload=alert(1)></svg>",
    '<form action="javasc\nript:alert(1)"><button>XXX</button></form>',
    '<div id="1"><form id="foobar"></form><button form="foobar" formaction="javascript:alert(1)">X</button>'
    "//[\"'`-->]]>]</div>",
    '<div id="7"><input onfocus=alert(7) autofocus>//["\'`-->]]>]</div>',
    '<div id="8"><input onblur=alert(8) autofocus><input autofocus>//["\'`-->]]>]</div>',
    '<div id="10"><video poster=javascript:alert(10)//></video>//["\'`-->]]>]</div>',
    '<div id="11"><svg xmlns="http://www.w3.org/2000/svg"><g onload="javascript:alert(11)"></g></svg>'
    "//[\"'`-->]]>]</div>",
    '<div id="12"><body onscroll=alert(12)><br><br><br><br><br><br>...<br><br><br><br><input autofocus>',
    '<div id="18"><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script>//["\'`-->]]>]</div>',
    '<div id="25"><script src="#">{alert(25)}</script>;1//["\'`-->]]>]</div>',
    '<div id="31"><frameset onload=alert(31)>//["\'`-->]]>]</div>',
    '<div id="32"><table background="javascript:alert(32)"></table>//["\'`-->]]>]</div>',
    '<div id="33"><a style="pointer-events:none;position:absolute;"><a style="position:absolute;" '
    'onclick="alert(33);">XXX</a></a><a href="javascript:alert(2)">XXX</a>',
    '<div id="37"><!--<img src="--><img src=x onerror=alert(37)//">//["\'`-->]]>]</div>',
    '<div id="38"><comment><img src="</comment><img src=x onerror=alert(38)//">//["\'`-->]]>]</div>',
    '<![><img src="]><img src=x onerror=alert(39)//">',
    '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=alert(2)//"></svg>',
    '<div id="40"><style><img src="</style><img src=x onerror=alert(40)//">//["\'`-->]]>]</div>',
    '<div id="41"><li style=list-style:url() onerror=alert(41)></li>',
    "<div style=content:url(data:image/svg+xml,%3Csvg/%3E);visibility:hidden onload=alert(41)></div>",
    '<div id="42"><head><base href="javascript://"/></head><body><a href="/. /,alert(42)//#">XXX</a></body>',
    '<div id="47"><svg xmlns="http://www.w3.org/2000/svg"><script>alert(47)</script></svg>',
    '<div id="48"><SCRIPT FOR=document EVENT=onreadystatechange>alert(48)</SCRIPT>',
    '<div id="49"><OBJECT CLASSID="clsid:333C7BC4-460F-11D0-BC04-0080C7055A83"><PARAM NAME="DataURL" '
    'VALUE="javascript:alert(49)"></OBJECT>',
    '<div id="50"><object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<div id="51"><embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></embed>',
    '<div id="55"><video><source onerror="alert(55)">//["\'`-->]]>]</div>',
    '<div id="56"><video onerror="alert(56)"><source></source></video>//["\'`-->]]>]</div>',
    '<div id="57"><b <script>alert(57)//</script>0</script></b>//["\'`-->]]>]</div>',
    '<div id="58"><b><script<b></b><alert(58)</script </b></b>//["\'`-->]]>]</div>',
    "<x '=\"foo\"><x foo='><img src=x onerror=alert(62)//'>",
    "<! '=\"foo\"><x foo='><img src=x onerror=alert(2)//'>",
    "<? '=\"foo\"><x foo='><img src=x onerror=alert(3)//'>",
    '<div id="63"><embed src="javascript:alert(63)"></embed><img src="javascript:alert(2)">'
    '<image src="javascript:alert(2)"><script src="javascript:alert(3)"></script>',
    '<div id="65"><svg onload="javascript:alert(65)" xmlns="http://www.w3.org/2000/svg"></svg>',
    '<div id="72"><form><button formaction="javascript:alert(72)">X</button>',
    '<div id="73"><event-source src="event.php" onload="alert(73)">',
    '<div id="74"><a href="javascript:alert(74)"><event-source src="data:application/x-dom-event-stream,'
    'Event:click%0Adata:XXX%0A%0A" /></a>',
    '<div id="75"><script<{alert(75)}/></script </>//["\'`-->]]>]</div>',
    '<div id="86"><body oninput=alert(86)><input autofocus>//["\'`-->]]>]</div>',
    '<svg xmlns="http://www.w3.org/2000/svg">\n<a xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xlink:href="javascript:alert(87)"><rect width="1000" height="1000" fill="white"/></a>\n</svg>',
    '<svg xmlns="http://www.w3.org/2000/svg">\n<set attributeName="onmouseover" to="alert(89)"/>\n'
    '<animate attributeName="onunload" to="alert(89)"/>\n</svg>',
    '<div id=d><x xmlns="><iframe onload=alert(97)"></div>\n<div id=d><x xmlns=\'"><iframe onload=alert(2)//\'>',
    '<div id="102"><img src="x` `<script>alert(102)</script>"` `>//["\'`-->]]>]</div>',
    '<div id="106"><img src onerror /" \'"= alt=alert(106)//">//["\'`-->]]>]</div>',
    '<div id="107"><title onpropertychange=alert(107)></title><title title=></title>',
    '<a href=http://foo.bar/#x=`y></a><img alt="`><img src=xx onerror=alert(108)></a>">',
    "<!--[if]><script>alert(115)</script -->\n<!--[if<img src=x onerror=alert(2)//]> -->",
    '<div id="133"><!-- `<img/src=xxx onerror=alert(133)//--!>//["\'`-->]]>]</div>',
    "<xmp>\n<%\n</xmp>\n<img alt='%></xmp><img src=xx onerror=alert(134)//'>",
    '<svg>\n<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="?">\n<circle r="400"></circle>\n'
    '<animate attributeName="xlink:href" begin="0" from="javascript:alert(137)" to="&" />\n</a>',
    # Tests against mXSS in Chrome 77 and alike, attribute-, removal-, nesting-based and namespace confusion
    "<svg></p><textarea><title><style></textarea><img src=x onerror=alert(1)></style></title></svg>",
    '<svg></p><title><a id="</title><img src=x onerror=alert()>"></textarea></svg>',
    "<math></p><textarea><mi><style></textarea><img src=x onerror=alert(1)></mi></math>",
    "<svg></p><title><template><style></title><img src=x onerror=alert(1)>",
    "<math></br><textarea><mtext><template><style></textarea><img src=x onerror=alert(1)>",
    "<svg></p><math><title><style><img src=x onerror=alert(1)></style></title>",
    '<svg><p><style><g title="</style><img src=x onerror=alert(1)>">',
    '<svg><foreignobject><p><style><p title="</style><iframe onload&#x3d;alert(1)<!--"></style>',
    '<math><annotation-xml encoding="text/html"><p><style><p title="</style><iframe onload&#x3d;alert(1)<!--">',
    "<xmp><svg><b><style><b title='</style><img src=x onerror=alert(1)>'>",  # payload added to <img>
    "<noembed><svg><b><style><b title='</style><img src=x onerror=alert(1)>'>",  # payload added to <img>
    "<form><math><mtext></form><form><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><math href=javascript:alert(1)>CLICKME</math>",
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 onerror=alert(1)&gt;">',
    '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=alert(1) src>">',
    "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title=\"</style><img src onerror='alert(1)'>\">",
    'a<svg><xss><desc><noscript>&lt;/noscript>&lt;/desc>&lt;s>&lt/s>&lt;style>&lt;a title="&lt;/style>'
    '&lt;img src onerror=alert(1)>">',
    '<math><mtext><option><FAKEFAKE><option></option><mglyph><svg><mtext><style><a title="</style>'
    "<img src='#' onerror='alert(1)'>\">",
    "<select><template><img src=x onerror=alert(1)></template></select>",
]

# PortSwigger XSS cheat sheet ------------------------------------------------------------------
PORTSWIGGER = [
    # json/protocols.json
    '<iframe src="javascript:alert(1)">',
    '<object data="javascript:alert(1)">',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">XSS</a>',
    '<a href="JaVaScript:alert(1)">XSS</a>',
    '<a href=" \tjavascript:alert(1)">XSS</a>',
    '<a href="javas\tcript:alert(1)">XSS</a>',
    '<a href="javascript\n:alert(1)">XSS</a>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a>',
    "<svg><animate xlink:href=#xss attributeName=href values=javascript:alert(1) /><a id=xss><text x=20 y=20>XSS</text></a>",
    "<svg><animate xlink:href=#xss attributeName=href from=javascript:alert(1) to=1 /><a id=xss><text x=20 y=20>XSS</text></a>",
    "<svg><set xlink:href=#xss attributeName=href from=? to=javascript:alert(1) /><a id=xss><text x=20 y=20>XSS</text></a>",
    '<script src="data:text/javascript,alert(1)"></script>',
    '<svg><script href="data:text/javascript,alert(1)" />',
    "<script>import('data:text/javascript,alert(1)')</script>",
    '<base href="javascript:/a/-alert(1)///////"><a href=../lol/safari.html>test</a>',
    '<math><x href="javascript:alert(1)">blah',
    "<form><button formaction=javascript:alert(1)>XSS",
    "<form><input type=submit formaction=javascript:alert(1) value=XSS>",
    "<form action=javascript:alert(1)><input type=submit value=XSS>",
    '<a href="javascript://%0aalert(1)">XSS</a>',
    # json/polyglot.json
    "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    "javascript:\"/*'/*`/*--></noscript></title></textarea></style></template></noembed></script>"
    '<html \\"\n onmouseover=/*&lt;svg/*/onload=alert()//>',
    "javascript:/*--></title></style></textarea></script></xmp><details/open/ontoggle='+/`/+/\"/+/onmouseover=1/+/"
    "[*/[]/+alert(/@PortSwiggerRes/)//'>",
    # json/mutation_xss.json
    "<!--><svg onload=alert(1)>-->",
    "<textarea><!--</textarea><script>alert(1)</script>--></textarea>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    "<title>&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;",
    '<iframe srcdoc="<script>alert(1)</script>">',
    "<svg><foreignObject><body onload=alert(1)></foreignObject></svg>",
    "/*--><svg/onload=alert(1)>*/",
    "<style></style><img src=x onerror=alert(1)>",
    "<svg><script>&#97;lert(1)</script></svg>",
    "<!--<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<listing><img src=x onerror=alert(1)></listing>",
    "<select><option><select><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=data:text/html,<script>alert(1)</script>">',
    "<details><summary><img src=x onerror=alert(1)></summary></details>",
    '<svg><set attributeName="onload" to="alert(1)">',
    "<math><mtext><table><mglyph><svg><mtext><textarea><img src=x onerror=alert(1)>",
    "<?php echo '<img src=x onerror=alert(1)>'; ?>",
    # json/useful_tags.json
    '<iframe srcdoc="<img src=1 onerror=alert(1)>"></iframe>',
    '<iframe srcdoc="&lt;img src=1 onerror=alert(1)&gt;"></iframe>',
    '<form action="javascript:alert(1)"><input type=submit id=x></form><label for=x>XSS</label>',
    # json/events.json: events that fire without interaction in Chromium
    "<img src=1 onerror=alert(1)>",
    "<xss onfocus=alert(1) autofocus tabindex=1>",
    "<details ontoggle=alert(1) open>test</details>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<style>@keyframes x{}</style><xss style="animation-name:x" onanimationstart="alert(1)"></xss>',
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>test</marquee>",
    "<video><source onerror=alert(1)>",
    "<audio src/onerror=alert(1)>",
    "<iframe onload=alert(1)>",
    "<style onload=alert(1)></style>",
    "<xss id=x tabindex=1 onfocusin=alert(1)></xss>",
    # the same events with the other observable channels (normalised)
    "<img src=1 onerror=confirm(1)>",
    "<svg onload=prompt(1)>",
    "<details open ontoggle=window.__xss=1>",
    # json/classic.json
    '<a title="&{alert(1)}">XSS</a>',
    '<a href="%0aalert(1)" onclick="protocol=\'javascript\'">test</a>',
    "<isindex type=submit formaction=javascript:alert(1)>",
    "<svg><xss onload=alert(1)>",
    "<svg><discard onbegin=alert(1)>",
    "<embed src=# codebase=javascript:alert(document.domain)//>",
    "<object data=# codebase=javascript:alert(document.domain)//>",
    "<svg><use href=\"data:image/svg+xml,&lt;svg id='x' xmlns='http://www.w3.org/2000/svg'&gt;&lt;image href='1' "
    "onerror='alert(1)' /&gt;&lt;/svg&gt;#x\" />",
]

# What WeasyPrint turns into PDF attachments, file links and actions --------------------------
PDF_VECTORS = [
    '<a rel="attachment" href="file:///etc/passwd">attachment</a>',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a href="file:///etc/passwd">local file</a>',
    '<a href="javascript:app.alert(1)">PDF JavaScript</a>',
    '<a href="launch:calc.exe">launch</a>',
    '<a href="\\\\evil.example\\share\\x.exe">UNC path</a>',
    '<object type="application/pdf" data="file:///etc/passwd"></object>',
]

MAX_LENGTH = 200

VECTORS = list(dict.fromkeys(OWASP + DOMPURIFY + PORTSWIGGER))

assert len(VECTORS) >= 100, len(VECTORS)
assert all(len(v) <= MAX_LENGTH for v in VECTORS), [v for v in VECTORS if len(v) > MAX_LENGTH]
assert all("\x00" not in v for v in VECTORS)


def joined(vectors=VECTORS, separator="\n\n"):
    """Every vector in one multi-line text, one per paragraph (for the fields that take prose)."""
    return separator.join(vectors)
