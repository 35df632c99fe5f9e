"""Every step the executor can run, by name."""

from __future__ import annotations

from cinecode.departments import clips, finishing, master, mix, motion, storyboard, titles, voice
from cinecode.graph.executor import StepFn

STEPS: dict[str, StepFn] = {
    storyboard.KEYFRAME.name: storyboard.run_keyframe,
    storyboard.SOURCE.name: storyboard.run_source,
    voice.VOICE.name: voice.run_voice,
    motion.SEGMENT.name: motion.run_segment,
    mix.SCENE_MIX.name: mix.run_scene_mix,
    titles.CARD.name: titles.run_card,
    master.REEL.name: master.run_reel,
    master.MASTER.name: master.run_master,
    master.SUBTITLES.name: master.run_subtitles,
    clips.CLIP.name: clips.run_clip,
    finishing.FINISH.name: finishing.run_finish,
}
