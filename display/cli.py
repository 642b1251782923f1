"""``sahaja-display``: run the board, or build/check its voice pack.

    sahaja-display --server http://10.0.0.2:8000 --token T --fullscreen --voice-pack DIR
    sahaja-display voice build --out DIR
    sahaja-display voice check --pack DIR

Settings come from flags, then the environment (the shared SAHAJA_SERVER_URL,
SAHAJA_DEVICE_TOKEN, SAHAJA_LANG, SAHAJA_CONFIG; SAHAJA_DISPLAY_* for the board's own), then
``--config FILE`` (TOML,
``[display]`` table). The board refuses to start with an incomplete voice pack (it names the
missing clips); ``--no-sound`` runs a silent board on purpose.
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import sys
from pathlib import Path

from display.announce import required_clips
from display.settings import Settings, SettingsError, default_voice_pack, load_settings
from display.voicepack import VoicePack, VoicePackError
from sahaja import i18n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sahaja-display",
        description="Waiting-room display board: shows and announces the calls of one site.",
    )
    p.add_argument("--config", help="TOML file with a [display] table")
    p.add_argument(
        "--server-url", "--server", dest="server", help="server URL, e.g. http://192.168.1.10:8000"
    )
    p.add_argument("--token", help="display device token (sahaja-server device add)")
    p.add_argument("--fullscreen", action="store_true", default=None, help="use the whole screen")
    p.add_argument("--size", help="window size WIDTHxHEIGHT (default 1920x1080)")
    p.add_argument("--voice-pack", help=f"voice pack folder (default {default_voice_pack()})")
    p.add_argument("--volume", type=float, help="0.0 to 1.0")
    p.add_argument("--no-sound", action="store_true", help="run without announcements")
    p.add_argument(
        "--lang",
        "--language",
        dest="language",
        choices=i18n.LANGUAGES,
        help="board language (default id)",
    )
    p.add_argument("--health-seconds", type=float, help="seconds between health reports (30)")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command")
    voice = sub.add_parser("voice", help="voice pack tools").add_subparsers(dest="voice_command")
    build = voice.add_parser("build", help="synthesize the default pack with espeak-ng")
    build.add_argument("--out", default=str(default_voice_pack()), help="folder to write")
    build.add_argument("--speed", type=int, default=150, help="espeak-ng words per minute")
    check = voice.add_parser("check", help="list the clips a pack lacks")
    check.add_argument("--pack", help="pack folder (default: the configured one)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        settings = load_settings(
            args.config,
            overrides={
                "server": args.server,
                "token": args.token,
                "fullscreen": args.fullscreen,
                "size": args.size,
                "voice_pack": args.voice_pack,
                "volume": args.volume,
                "language": args.language,
                "sound": False if args.no_sound else None,
                "health_seconds": args.health_seconds,
            },
        )
    except SettingsError as exc:
        print(i18n.t("display.bad_setting", args.language, detail=exc), file=sys.stderr)
        return 2
    lang = settings.language
    if args.command == "voice":
        if args.voice_command == "build":
            return _voice_build(Path(args.out), settings, args.speed)
        if args.voice_command == "check":
            pack = Path(args.pack) if args.pack else settings.voice_pack
            return 0 if _check_pack(pack, settings) else 1
        _parser().parse_args(["voice", "--help"])
    if not settings.token:
        print(i18n.t("display.no_token", lang), file=sys.stderr)
        return 2
    if settings.sound and not _check_pack(settings.voice_pack, settings):
        return 2
    return run_board(settings)


def _needed(settings: Settings) -> set[str]:
    counters = range(1, settings.max_counter_number + 1)
    return required_clips(settings.announcer(), 999, counters)


def _check_pack(folder: Path, settings: Settings) -> bool:
    """Print what the pack lacks (in the board's language); True when complete."""
    lang = settings.language
    try:
        pack = VoicePack.load(folder)
        missing = pack.missing(_needed(settings))
    except VoicePackError as exc:
        print(i18n.t("display.voice_unusable", lang, detail=exc), file=sys.stderr)
        return False
    if missing:
        print(
            i18n.t(
                "display.voice_missing",
                lang,
                folder=folder,
                count=len(missing),
                clips=", ".join(missing),
            ),
            file=sys.stderr,
        )
        return False
    return True


def _voice_build(out: Path, settings: Settings, speed: int) -> int:
    from display.voice_build import SynthesisError, build_pack

    clips = sorted(_needed(settings) | {"nol"})
    lang = settings.language
    print(i18n.t("display.voice_building", lang, folder=out, count=len(clips)), file=sys.stderr)
    width = len(str(len(clips)))

    def progress(i: int, n: int, name: str) -> None:
        bar = "#" * (30 * i // n)
        end = "\n" if i == n or not sys.stderr.isatty() else ""
        print(f"\r[{bar:<30}] {i:>{width}}/{n} {name:<28}", end=end, file=sys.stderr, flush=True)

    try:
        files = build_pack(out, clips, progress, speed=speed)
    except (SynthesisError, OSError) as exc:
        print(i18n.t("display.voice_unusable", lang, detail=exc), file=sys.stderr)
        return 1
    print(i18n.t("display.voice_built", lang, count=len(files), folder=out), file=sys.stderr)
    return 0


def run_board(settings: Settings) -> int:
    """Open the screen and the mixer, start the network worker, run the loop."""
    import pygame

    from devicelink.health import HealthReporter
    from display.app import Board, post_wake
    from display.network import BoardLink
    from display.render import BoardRenderer
    from display.state import BoardState

    os.environ.setdefault("SDL_VIDEO_ALLOW_SCREENSAVER", "0")
    pygame.display.init()
    pygame.font.init()
    flags = pygame.FULLSCREEN if settings.fullscreen else 0
    size = (0, 0) if settings.fullscreen else settings.size
    screen = pygame.display.set_mode(size, flags)
    pygame.display.set_caption("Sahaja Lekat")
    pygame.mouse.set_visible(False)
    player = None
    voice_clips = 0
    if settings.sound:
        from hardware.audio import MixerPlayer

        pack = VoicePack.load(settings.voice_pack)
        voice_clips = len(pack.clips)
        player = MixerPlayer(pack.clips, volume=settings.volume)
        player.open()
    from datetime import timedelta

    state = BoardState(
        replay_window=timedelta(seconds=settings.replay_window_seconds),
        highlight_seconds=settings.highlight_seconds,
        recent_limit=settings.recent_calls,
        ready_services=frozenset(settings.ready_services),
    )
    renderer = BoardRenderer(
        screen.get_size(),
        language=settings.language,
        font_dir=settings.font_dir,
        running_text=settings.running_text,
        ticker_speed=settings.running_text_speed,
    )
    inbox: queue.Queue = queue.Queue()
    board = Board(
        state,
        renderer,
        settings.announcer(),
        player,
        inbox,
        fps=settings.fps,
        voice_clips=voice_clips,
    )
    link = BoardLink(settings.server, settings.token, inbox, post_wake)
    link.start()
    health = HealthReporter(
        settings.server,
        settings.token,
        board.health,
        every=settings.health_seconds,
        name="board-health",
    )
    health.start()
    try:
        board.run(screen)
    except KeyboardInterrupt:
        pass
    finally:
        health.stop()
        link.stop()
        if player is not None:
            player.close()
        pygame.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
