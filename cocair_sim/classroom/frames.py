"""The classroom page's pictures: two maps and a chart, redrawn every simulated day.

Each picture is drawn in full once; after that only what changes (couriers, the day's seizures
and alerts, the chart's lines) is drawn over a saved copy of the rest, and the pixels go
straight to an image file (matplotlib's Agg blitting). Drawing every picture from scratch each
day is too slow for Play to keep the speeds the page offers (docs/performance.md).

What moves is drawn above what stands still: an alert's line passes over the airports' markers.
"""

from __future__ import annotations

import io
import math

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from cocair_sim.geo import bbox_for, draw_basemap
from cocair_sim.intel.relay import relay_modes
from cocair_sim.intel.relay.hub import HubRelay
from cocair_sim.intel.reports import CUSTOMS
from cocair_sim.model import events as ev
from cocair_sim.model.model import CocairModel


def channel_colours() -> dict[str, str]:
    """The colour of alert lines by channel: each relay mode's own, national alerts blue."""
    return {name: mode.colour for name, mode in relay_modes().items()} | {ev.NATIONAL: "tab:blue"}


LINE_STYLES = {"relay": "-", "none": "--"}  # the chart's world with and without relay
IMAGE_FORMAT = "jpeg"  # of the pictures the page shows (see `encode`)
_NONE = [(math.nan, math.nan)]  # an empty scatter (set_offsets needs a 2-column array)


def encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas's current pixels as a JPEG (`IMAGE_FORMAT`), without drawing the figure again
    (which `savefig` would do). At quality 90 the maps' lines and labels look as in a PNG, the
    encoding is several times faster than the fastest PNG, and the page's connection carries
    half the bytes."""
    buffer = io.BytesIO()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    image.convert("RGB").save(buffer, format=IMAGE_FORMAT, quality=90)
    return buffer.getvalue()


def events_of_day(model: CocairModel, day: int) -> list[tuple]:
    """The event-log rows of one day, read back from the end of the log (rows are logged in
    time order), so a frame costs the day's events, not the whole run's."""
    events = model.events
    start = len(events)
    while start and events[start - 1].day >= day:
        start -= 1
    return [e for e in events[start:] if e.day == day]


def courier_positions(model: CocairModel) -> list[tuple[float, float, bool]]:
    """(lon, lat, in_flight) of every courier under way, interpolated along its current leg."""
    airports = model.network.airports
    now = model.now
    out = []
    for c in model.active_couriers():
        stops = c.itinerary.airports
        if c.state == "booked":
            continue
        if c.stop == 0:
            a = airports[stops[0]]
            out.append((a.lon, a.lat, False))
            continue
        a, b = airports[stops[c.stop - 1]], airports[stops[c.stop]]
        if now <= c.leg_departure:
            out.append((a.lon, a.lat, False))
        elif now >= c.leg_arrival:
            out.append((b.lon, b.lat, False))
        else:
            f = (now - c.leg_departure) / max(c.leg_arrival - c.leg_departure, 1e-9)
            out.append((a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat), True))
    return out


class MapFrame:
    """One world's map: airports, links, the hub and its connected countries over the offline
    basemap (drawn once); couriers, the last day's seizures and alerts (drawn each day)."""

    def __init__(self, model: CocairModel, title: str):
        net = model.network
        airports = net.airports
        self.figure = fig = Figure(figsize=(6.0, 4.6), dpi=80)
        self.canvas = FigureCanvasAgg(fig)
        self.ax = ax = fig.add_subplot()
        draw_basemap(ax, bbox_for([(a.lon, a.lat) for a in airports], pad_deg=4.0))
        links = [
            [
                (airports[r.origin].lon, airports[r.origin].lat),
                (airports[r.destination].lon, airports[r.destination].lat),
            ]
            for r in net.routes
        ]
        ax.add_collection(LineCollection(links, colors="0.55", linewidths=0.6, zorder=1))
        hub = model.relay.hub
        connected = {
            a
            for cp in model.contact_points[CUSTOMS]
            if cp.connected and hub is not None
            for a in cp.airports
        }
        ax.scatter(
            [a.lon for a in airports],
            [a.lat for a in airports],
            s=55,
            c="white",
            edgecolors=["tab:green" if a.index in connected else "0.3" for a in airports],
            linewidths=[1.8 if a.index in connected else 1.0 for a in airports],
            zorder=3,
        )
        for a in airports:
            ax.text(a.lon + 0.6, a.lat + 0.6, a.iata, fontsize=7, zorder=6)
        self.hub = hub.airport if hub is not None else None
        if self.hub is not None:
            ax.scatter(
                self.hub.lon,
                self.hub.lat,
                s=220,
                marker="h",
                facecolors="none",
                edgecolors="tab:orange",
                linewidths=2,
                zorder=4,
            )
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.93)

        # What changes every day, drawn over the still picture in this order (their z-orders
        # say the same, so a complete drawing of the figure gives the same picture).
        self.alerts = LineCollection([], linewidths=1.6, alpha=0.8, zorder=7, animated=True)
        ax.add_collection(self.alerts, autolim=False)
        self.flying = ax.scatter([], [], s=10, c="tab:blue", zorder=8, animated=True)
        self.ground = ax.scatter([], [], s=10, c="tab:cyan", marker="s", zorder=8, animated=True)
        self.stars = ax.scatter(
            [], [], s=160, marker="*", c="red", edgecolors="darkred", zorder=9, animated=True
        )
        self.moving = (self.alerts, self.flying, self.ground, self.stars)
        self.canvas.draw()  # animated artists are left out of this
        self.still = self.canvas.copy_from_bbox(fig.bbox)

    def render(self, model: CocairModel) -> bytes:
        """The map at the model's current time, as an image (`IMAGE_FORMAT`)."""
        self.draw(model)
        return encode(self.canvas)

    def draw(self, model: CocairModel) -> None:
        """Bring the canvas to the model's current time."""
        airports = model.network.airports
        positions = courier_positions(model)
        self.flying.set_offsets([(x, y) for x, y, flying in positions if flying] or _NONE)
        self.ground.set_offsets([(x, y) for x, y, flying in positions if not flying] or _NONE)
        stars, lines, colours = [], [], []
        reports = model.reports
        palette = channel_colours()
        for e in events_of_day(model, model.steps - 1):
            if e.event == ev.SEIZURE:
                a = airports[e.airport]
                stars.append((a.lon, a.lat))
            elif e.event == ev.ALERT_DELIVERED and e.report in reports:
                s, d = airports[reports[e.report].airport], airports[e.airport]
                # The hub's alerts go through the hub, whichever mode sent the report there
                # (in the exercise, a team's choice).
                via = [self.hub] if self.hub is not None and e.channel == HubRelay.name else []
                lines.append([(p.lon, p.lat) for p in (s, *via, d)])
                colours.append(palette.get(e.channel, "tab:blue"))
        self.stars.set_offsets(stars or _NONE)
        self.alerts.set_segments(lines)
        self.alerts.set_color(colours or ["none"])
        self.canvas.restore_region(self.still)
        for artist in self.moving:
            self.ax.draw_artist(artist)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k above `value` (at least 1): a chart's top that
    stays put for a while as the totals grow."""
    if value < 1.0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * power > value:
            return step * power
    return 10.0 * power


class ChartFrame:
    """Cumulative kg seized and delivered, day by day, for one or two worlds.

    The day axis spans the whole run from the start, with the operation shaded, and the kg axis
    grows in steps (`nice_ceiling`): on most days only the lines change, and the axes are
    drawn again only on the days the totals outgrow the top. The lines are drawn above
    everything else (their z-order too)."""

    def __init__(self, models: dict[str, CocairModel]):
        first = next(iter(models.values()))
        cal = first.spec.calendar
        self.figure = fig = Figure(figsize=(7.0, 2.8), dpi=80)
        self.canvas = FigureCanvasAgg(fig)
        self.ax = ax = fig.add_subplot()
        ax.set_xlim(0.5, first.days + 0.5)
        ax.axvspan(
            cal.operation_start + 0.5,
            cal.operation_start + cal.operation_days + 0.5,
            color="0.93",
            zorder=0,
            label="operation",
        )
        self.lines = {}
        for key, model in models.items():
            name = f"with relay ({model.relay_mode})" if key == "relay" else "without relay"
            style = LINE_STYLES[key]
            for column, colour, what in (
                ("kg_seized", "tab:red", "seized"),
                ("kg_delivered", "tab:green", "delivered"),
            ):
                (line,) = ax.plot(
                    [], [], style, color=colour, label=f"{what}, {name}", zorder=6, animated=True
                )
                self.lines[(key, column)] = line
        ax.set_xlabel("day")
        ax.set_ylabel("cumulative kg")
        ax.legend(fontsize=7, loc="upper left")
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.17, top=0.96)
        self.top = 0.0
        self.still = None

    def render(self, models: dict[str, CocairModel]) -> bytes:
        """The chart up to the models' current day, as an image (`IMAGE_FORMAT`)."""
        self.draw(models)
        return encode(self.canvas)

    def draw(self, models: dict[str, CocairModel]) -> None:
        """Bring the canvas to the models' current day."""
        highest = 0.0
        for (key, column), line in self.lines.items():
            values = models[key].datacollector.model_vars.get(column, [])
            line.set_data(range(1, len(values) + 1), values)
            highest = max(highest, max(values, default=0.0))
        if self.still is None or highest * 1.05 > self.top:  # outgrown: draw the axes again
            # Room for half as much again: the axes are drawn anew only every few days, and a
            # full drawing costs as much as many days of lines.
            self.top = nice_ceiling(highest * 1.5)
            self.ax.set_ylim(0.0, self.top)
            self.canvas.draw()
            self.still = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.still)
        for line in self.lines.values():
            self.ax.draw_artist(line)
