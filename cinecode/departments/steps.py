"""Every step the executor can run, by name."""

from __future__ import annotations

from cinecode.departments import (
    cast,
    clip,
    finishing,
    lipsync,
    master,
    mix,
    motion,
    music,
    sfx,
    storyboard,
    titles,
    voice,
)
from cinecode.graph.executor import StepFn

STEPS: dict[str, StepFn] = {
    storyboard.KEYFRAME.name: storyboard.run_keyframe,
    storyboard.SOURCE.name: storyboard.run_source,
    voice.VOICE.name: voice.run_voice,
    motion.SEGMENT.name: motion.run_segment,
    clip.CLIP.name: clip.run_clip,
    lipsync.LIPSYNC.name: lipsync.run_lipsync,
    mix.SCENE_MIX.name: mix.run_scene_mix,
    mix.SCENE_STEMS.name: mix.run_scene_stems,
    music.CUE.name: music.run_cue,
    sfx.AMBIENCE.name: sfx.run_effect,
    sfx.SPOT.name: sfx.run_effect,
    titles.CARD.name: titles.run_card,
    master.REEL.name: master.run_reel,
    master.REEL_SOUND.name: master.run_reel_sound,
    master.MASTER.name: master.run_master,
    master.SUBTITLES.name: master.run_subtitles,
    finishing.FINISH.name: finishing.run_finish,
    cast.SHEET.name: cast.run_sheet,
    cast.VIEW.name: cast.run_view,
}
