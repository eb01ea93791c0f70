"""Words too common to tell two ideas apart, in the languages communities write most (en, fr, de, es,
it, pt, nl), accent-folded as `features.fold` leaves them. Kept short: a word missing here only costs a
little precision, since its inverse document frequency is low anyway."""

from __future__ import annotations

_LISTS = {
    "en": """a about above after again all also am an and any are as at be because been before being
        below between both but by can could did do does doing down during each few for from further had
        has have having he her here hers him his how i if in into is it its itself just me more most my
        no nor not now of off on once only or other our ours out over own same she should so some such
        than that the their theirs them then there these they this those through to too under until up
        very was we were what when where which while who whom why will with would you your yours
        please would like could should we us let lets get make add allow able""",
    "fr": """a au aux avec ce ces cette dans de des du elle en et eux il ils je la le les leur leurs lui
        ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta
        te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir est sont sera serait
        fait faire plus tres aussi comme si peut pourrait pouvoir faut il y a ajouter permettre""",
    "de": """aber alle allem allen aller alles als also am an ander andere auch auf aus bei bin bis bist
        da damit dann das dass dein deine dem den der des dich die dies diese dieser dieses dir doch dort
        du durch ein eine einem einen einer eines er es etwas euch euer fur gegen hab habe haben hat
        hatte ich ihr ihre im in ist ja jede jedem jeden jeder kann kein keine konnen konnte man mein
        meine mich mir mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so
        soll sollte uber um und uns unser unsere unter viel vom von vor war waren was weil wenn wer
        werden wie wir wird wo wurde zu zum zur bitte mehr hinzufugen ermoglichen""",
    "es": """a al algo como con de del desde donde el ella ellas ellos en entre era es esa ese eso esta
        este esto estos fue ha hay la las le les lo los mas me mi mis muy ni no nos nuestra nuestro o
        para pero poder por porque puede que se ser si sin sobre su sus tambien te tiene todo tu un una
        uno unos y ya yo seria favor anadir agregar permitir""",
    "it": """a ad al alla alle allo ai agli che chi ci con da dal dalla dei del della delle dello di e
        ed era gli ha hanno i il in io la le lei li lo loro lui ma mi mio ne nei nel nella noi non o per
        perche piu poi quale quando questa questo se si sia siamo sono su sua suo sul sulla ti tra tu un
        una uno vi voi essere avere fare potrebbe aggiungere""",
    "pt": """a ao aos as com como da das de do dos e ela ele eles em entre era essa esse esta este eu
        foi ha isso la mais mas me meu minha na nas no nos o os ou para pela pelo por que se sem ser seu
        sua sao tambem te tem um uma voce ter fazer poder adicionar""",
    "nl": """aan al als bij dan dat de der deze die dit doch door een en er ge geen had heb hebben heeft
        het hier hij hoe hun ik in is ja je kan kon maar me meer men met mij mijn na naar niet nog nu
        of om omdat ons ook op over te tot u uit van veel voor want was wat we wel werd wie wij wil
        worden wordt zal ze zei zelf zich zij zijn zo zou toevoegen""",
}

STOPWORDS: frozenset[str] = frozenset(word for words in _LISTS.values() for word in words.split())
