using DynamicObj;
using Plotly.NET;
using Plotly.NET.LayoutObjects;

namespace PruningLab.Charts;

/// <summary>
/// Small builders over Plotly.NET's dynamic objects. Plotly.NET's F# optional arguments are all mandatory
/// from C# (30+ parameters per call), so traces and layouts are set by their plotly.js attribute names instead.
/// </summary>
internal static class Figure
{
    /// <summary>Sets a plotly.js attribute and returns the object for chaining.</summary>
    public static T With<T>(this T obj, string attribute, object? value) where T : DynamicObj.DynamicObj
    {
        if (value is not null) obj.SetProperty(attribute, value);
        return obj;
    }

    /// <summary>A new trace of the given plotly.js type ("scatter", "bar", "heatmap", ...).</summary>
    public static Trace2D Trace(string type) => new(type);

    /// <summary>An axis with a title; titles are objects in plotly.js 2.x.</summary>
    public static LinearAxis Axis(string? title) =>
        new LinearAxis().With("title", title is null ? null : new Dictionary<string, object> { ["text"] = title });

    /// <summary>A chart from traces plus x/y axis titles.</summary>
    public static GenericChart Chart(IEnumerable<Trace> traces, string? xTitle, string? yTitle, Action<Layout>? configure = null)
    {
        var layout = new Layout()
            .With("xaxis", Axis(xTitle))
            .With("yaxis", Axis(yTitle));
        configure?.Invoke(layout);
        // ofTraceObject(true, ...) applies Plotly.NET's default template, config and display options.
        var chart = GenericChart.combine(traces.Select(t => GenericChart.ofTraceObject(true, t)).ToArray());
        return Plotly.NET.Chart.withLayout(layout).Invoke(chart);
    }

    /// <summary>Lays charts out in a grid with one titled panel each (Plotly.NET re-numbers the axes).</summary>
    public static GenericChart Grid(IReadOnlyList<GenericChart> panels, IReadOnlyList<string> panelTitles, int columns)
    {
        int rows = (panels.Count + columns - 1) / columns;
        return Plotly.NET.Chart.Grid<string[], GenericChart[]>(
            rows, columns, panelTitles.ToArray(),
            null, null, null, null, null, null, null, 0.15, 0.25, null, null, null)
            .Invoke(panels.ToArray());
    }
}
