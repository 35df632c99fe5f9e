"""The sounds cinecode knows by name, for `[[ambience: …]]` and `[[sfx: …]]`.

A description names a sound when one of its words is in `SOUNDS` (or a longer form of one:
creak → creaking, stumble → stumbling): everything the effects department and the foley
backend recognise (tests/test_script_checks.py checks that), and the common sounds a hosted
generator makes from words. `names_a_sound("door slams")` is True, `names_a_sound("blorp")`
False, which the directive reader turns into a ScriptError with the closest words.
"""

from __future__ import annotations

import re

#: words that name a sound (or its source), by family; a word also matches its longer forms
SOUNDS: dict[str, str] = {
    "weather": "thunder lightning storm tempest hurricane rain raindrops drizzle downpour shower "
    "hail sleet snow blizzard wind gale breeze gust draught draft howl",
    "water": "surf wave sea ocean swell shore beach breakers tide water stream river brook creek "
    "lapping trickle fountain waterfall drip splash plunge dive spray bubble gurgle slosh puddle "
    "harbour harbor foghorn buoy",
    "animals": "gull seagull seabird gannet bird birdsong songbird chirp tweet owl hoot crow caw "
    "raven pigeon coo rooster hen cluck duck quack geese goose dog bark growl whimper yelp cat "
    "meow miaow purr horse neigh whinny hoof hooves gallop cow moo sheep bleat pig oink frog croak "
    "cricket cicada insect katydid bee buzz fly flies mosquito wasp wolf wolves roar snake rattle "
    "wing flutter flap animal cattle",
    "people": "footstep footfall step walk run ran stumble stagger stride pace climb stair ladder "
    "leap jump slump hurry hurries hurtle rush swoop tiptoe march shuffle scuffle crowd murmur "
    "chatter people voice whisper laugh giggle cheer applause applaud clap scream shout yell cry "
    "cries sob gasp sigh breath cough sneeze snore groan moan grunt kiss heartbeat heart pulse "
    "baby child children party audience choir sing song hum whistle chant wail weep fight struggle "
    "punch slap kick",
    "home": "door knock gate latch hinge lock key bolt doorbell bell chime toll ring phone "
    "telephone handset receiver dial buzzer alarm clock tick tock kettle simmer boil pot pan "
    "saucepan sizzle fry cook stove cup mug tea coffee teacup saucer pour sip drink glass bottle "
    "clink toast cork plate mirror dish cutlery fork knife spoon chop fridge refrigerator freezer "
    "fan conditioning hvac fluorescent machine server computer keyboard typing typewriter printer "
    "click switch tap faucet sink toilet flush bath drawer cupboard cabinet chair scrape table "
    "floorboard creak curtain window shutter blind zip zipper cloth rustle paper page book letter "
    "newspaper map envelope pen pencil write writing scribble scratch tear rip crumple candle "
    "match lighter flame fire ignite hearth fireplace campfire crackle ember log radio static "
    "intercom walkie transmitter transmission television speaker piano guitar violin organ drum "
    "trumpet gramophone record jukebox music melody tune room tone silence quiet still empty hush "
    "ambience atmosphere",
    "machines": "engine motor outboard idle idling generator car truck van taxi bus cab traffic "
    "street city road town urban highway tyre tire brake screech squeal skid horn honk ignition "
    "rev exhaust boat ship ferry launch siren train rail tram subway plane aeroplane airplane jet "
    "helicopter rotor propeller bicycle bike motorbike motorcycle scooter elevator lift crank gear "
    "cog clockwork ratchet winch mechanism pulley chain rope anchor hull mast sail rigging lever "
    "piston pump drill saw hammer nail anvil metal clang clank clatter jingle jangle beep bleep "
    "whir whirr drone sonar ping radar feedback whine squeak beacon",
    "impacts": "crunch gravel snap crack pop thud thump thunk clunk bump bang slam crash smash "
    "shatter break impact hit collide collision boom blast explode explosion detonate gun gunshot "
    "shot gunfire pistol rifle shotgun bullet ricochet reload sword clash blade arrow whip thwack "
    "smack drop dropped fall dump bag collapse land splat squish squelch plop patter fizz steam "
    "hiss spark electric zap sputter ding dong gong klaxon rumble grumble whoosh swish swoosh "
    "sweep swing beam bloom whumph flare burst shoot strike squawk shut place unfold depart recede",
    "places": "forest wood woods tree trees leaves jungle meadow field farm garden park "
    "countryside grass reeds mountain cave coast island cliff bay lake canal lighthouse echo "
    "tunnel cellar attic church cathedral hospital office school playground classroom station "
    "airport dock pier port factory warehouse construction market fair carnival stadium battle bar "
    "cafe café restaurant pub kitchen corridor hallway lobby canteen night dawn",
}

#: every sound word, for "did you mean …?"
SOUND_NAMES: tuple[str, ...] = tuple(dict.fromkeys(w for ws in SOUNDS.values() for w in ws.split()))
_ALL = frozenset(SOUND_NAMES)
_LONG = tuple(w for w in SOUND_NAMES if len(w) >= 4)
_ENDINGS = ("s", "es", "ed", "ing", "y", "er", "ers")

#: what an ambience bed and a spot effect may say, when a description names nothing known
AMBIENCE_EXAMPLES = (
    "room tone, wind, rain, storm, surf, gulls, birds, insects, a clock ticking, a kettle, "
    "fire, an engine idling, radio hiss, city traffic, a crowd murmuring, leaves, a hum, "
    "water lapping, thunder"
)
SFX_EXAMPLES = (
    "thunder, a knock, a door slams, glass shatters, a match strikes, a gunshot, an "
    "explosion, a car passes, footsteps, a splash, a thud, a bell, a phone rings, a "
    "heartbeat, wood creaks, a gust, a whoosh, a punch"
)


def words_of(text: str) -> list[str]:
    """The lower-case words of a description (hyphens and punctuation split them)."""
    return re.findall(r"[a-zà-ÿ]+", text.lower())


def is_sound(word: str) -> bool:
    """Whether a (lower-case) word is a sound word or a longer form of one."""
    if word in _ALL:
        return True
    if any(word.startswith(w) for w in _LONG):
        return True
    if any(word.startswith(w[:-1]) for w in _LONG if len(w) >= 5 and w[-1] == "e"):
        return True  # stumble → stumbling
    for w in _ALL:
        if len(w) < 4 and word.startswith(w):
            rest = word[len(w) :]
            if rest in _ENDINGS or (rest[:1] == w[-1] and rest[1:] in _ENDINGS):
                return True  # cat → cats, rip → ripping
    return False


def names_a_sound(text: str) -> bool:
    """Whether a description names at least one sound cinecode knows."""
    return any(is_sound(word) for word in words_of(text))
