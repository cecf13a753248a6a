using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Overlaid, semi-transparent histograms of weight values, one series per entry
    /// (typically "before" and "after" pruning). All series share the same bins so they line up.
    /// </summary>
    /// <param name="series">Series name → weight values.</param>
    /// <param name="bins">Number of bins over the joint value range.</param>
    /// <param name="excludeZeros">Leave out exact zeros (pruned weights).</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart WeightHistogram(
        IReadOnlyDictionary<string, float[]> series, int bins = 100, bool excludeZeros = false, string title = "Weight distribution")
    {
        ArgumentNullException.ThrowIfNull(series);
        return ChartStyle.Finish(HistogramPanel(series, bins, excludeZeros, showLegend: true), title);
    }

    /// <summary>
    /// One weight-histogram panel per layer, each overlaying the same named series
    /// (e.g. "before"/"after"); a series keeps its colour and legend entry across panels.
    /// </summary>
    /// <param name="layers">Layer name → (series name → weight values).</param>
    /// <param name="bins">Number of bins per panel.</param>
    /// <param name="excludeZeros">Leave out exact zeros (pruned weights).</param>
    /// <param name="columns">Panels per row.</param>
    /// <param name="title">Chart title.</param>
    public static GenericChart WeightHistogramGrid<TSeries>(
        IReadOnlyDictionary<string, TSeries> layers,
        int bins = 60, bool excludeZeros = false, int columns = 2, string title = "Weight distribution per layer")
        where TSeries : IReadOnlyDictionary<string, float[]>
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (layers.Count == 0) throw new ArgumentException("At least one layer is required.", nameof(layers));
        columns = Math.Min(columns, layers.Count);
        var panels = layers.Values.Select((s, i) => HistogramPanel(s, bins, excludeZeros, showLegend: i == 0)).ToList();
        int rows = (panels.Count + columns - 1) / columns;
        var grid = Figure.Grid(panels, layers.Keys.ToList(), columns);
        grid = Chart.withLayout(new Layout().With("barmode", "overlay")).Invoke(grid);
        return ChartStyle.Finish(grid, title, height: Math.Max(ChartStyle.Height, rows * ChartStyle.GridRowHeight));
    }

    private static GenericChart HistogramPanel<TSeries>(TSeries series, int bins, bool excludeZeros, bool showLegend)
        where TSeries : IReadOnlyDictionary<string, float[]>
    {
        var kept = series.Values.SelectMany(v => v).Where(v => !float.IsNaN(v) && !(excludeZeros && v == 0f));
        double min = kept.DefaultIfEmpty(0f).Min(), max = kept.DefaultIfEmpty(0f).Max();
        var traces = series.Select((kv, i) =>
        {
            var h = HistogramBins.Compute(kv.Value, bins, min, max, excludeZeros);
            // Pre-binned counts drawn as gap-less bars look exactly like a plotly histogram.
            return Figure.Trace("bar")
                .With("x", h.Centers).With("y", h.Counts).With("width", h.Width)
                .With("name", kv.Key).With("legendgroup", kv.Key).With("showlegend", showLegend)
                .With("opacity", 0.55)
                .With("marker", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(i) });
        });
        return Figure.Chart(traces, "weight value", "count",
            layout => layout.With("barmode", "overlay").With("bargap", 0));
    }
}
