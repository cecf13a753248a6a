using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>A bar per category, e.g. sparsity per layer.</summary>
    /// <param name="values">Category → value; categories keep their order.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">X-axis (category) title.</param>
    /// <param name="yTitle">Y-axis (value) title.</param>
    public static GenericChart Bars(IReadOnlyDictionary<string, double> values, string title, string xTitle, string yTitle)
    {
        ArgumentNullException.ThrowIfNull(values);
        return GroupedBars(new Dictionary<string, IReadOnlyDictionary<string, double>> { [yTitle] = values },
            title, xTitle, yTitle, showLegend: false);
    }

    /// <summary>
    /// Grouped bars: one colour per series, bars side by side per category
    /// (e.g. sparsity per layer for several pruning methods). A category missing from a series is left empty.
    /// </summary>
    /// <param name="series">Series name → (category → value).</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">X-axis (category) title.</param>
    /// <param name="yTitle">Y-axis (value) title.</param>
    /// <param name="showLegend">Whether to list the series in a legend.</param>
    public static GenericChart GroupedBars(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> series,
        string title, string xTitle, string yTitle, bool showLegend = true)
    {
        ArgumentNullException.ThrowIfNull(series);
        // Union of categories in first-seen order, so every series uses the same x positions.
        var categories = series.Values.SelectMany(s => s.Keys).Distinct().ToArray();
        var traces = series.Select((kv, i) =>
            Figure.Trace("bar")
                .With("x", categories)
                .With("y", categories.Select(c => kv.Value.TryGetValue(c, out var v) ? v : (double?)null).ToArray())
                .With("name", kv.Key).With("showlegend", showLegend)
                .With("marker", new Dictionary<string, object> { ["color"] = ChartStyle.ColorAt(i) }));
        var chart = Figure.Chart(traces, xTitle, yTitle, layout => layout.With("barmode", "group"));
        return ChartStyle.Finish(chart, title);
    }

    /// <summary>
    /// A bar per category with an error bar of ± one standard deviation, e.g. accuracy over seeds per method.
    /// </summary>
    /// <param name="values">Category → (mean, sd); categories keep their order.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">X-axis (category) title.</param>
    /// <param name="yTitle">Y-axis (value) title.</param>
    /// <param name="yRange">The visible value range, or null for automatic (bars start at the bottom of the range).</param>
    public static GenericChart BarsWithSpread(IReadOnlyDictionary<string, (double Mean, double Sd)> values, string title, string xTitle, string yTitle,
        (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var trace = Figure.Trace("bar")
            .With("x", values.Keys.ToArray()).With("y", values.Values.Select(v => v.Mean).ToArray())
            .With("error_y", new Dictionary<string, object> { ["type"] = "data", ["array"] = values.Values.Select(v => v.Sd).ToArray(), ["visible"] = true })
            .With("marker", new Dictionary<string, object> { ["color"] = values.Keys.Select((_, i) => ChartStyle.ColorAt(i)).ToArray() })
            .With("showlegend", false);
        var chart = Figure.Chart([trace], xTitle, yTitle, layout =>
        {
            if (yRange is { } range) ((DynamicObj.DynamicObj)layout.GetPropertyValue("yaxis")).SetProperty("range", new[] { range.Min, range.Max });
        });
        return ChartStyle.Finish(chart, title);
    }
}
