"""Read the plates in an image or a video file and print them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the plates read in PATH: each reading of an image, or one voted result per vehicle of a video."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--engine", help="reader engine (default: RTCC_ALPR_ENGINE or the library default)")
        parser.add_argument("--region", help="plate region: us, eu or br")

    def handle(self, *args, path, engine, region, **options):
        from plates.alpr import InvalidFrameError, UnknownEngineError, is_video, read_file

        if not Path(path).is_file():
            raise CommandError(f"No such file: {path}")
        try:
            results = read_file(path, engine=engine, region=region)
        except (InvalidFrameError, UnknownEngineError, ValueError, OSError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        if not results:
            self.stdout.write("no plate found")
            return
        video = is_video(path)
        for result in results:
            best = result.best if video else result
            box = best.box
            where = f"frames {result.first_frame}-{result.last_frame}" if video else f"at x={box.x} y={box.y}"
            others = ", ".join(f"{text} {score:.2f}" for text, score in result.alternatives[:3])
            line = f"{result.text:<10} confidence {result.confidence:.2f}  {where}  engine {best.engine}"
            self.stdout.write(line + (f"  (alternatives: {others})" if others else ""))
