using System.Text.Json;
using System.Text.Json.Nodes;
using PruningLab.Charts;

namespace PruningLab.Notebooks;

/// <summary>
/// Prepares an executed notebook for an HTML export (nbconvert): every output holding a plotly figure
/// (<see cref="ChartHtml.PlotlyMimeType"/>) also gets a <c>text/html</c> fragment that draws it, and the first one brings
/// plotly.js inlined, so the page shows every chart offline while the notebook itself stays small.
/// </summary>
public static class NotebookHtml
{
    /// <summary>Adds the HTML fragments in place; returns the number of charts.</summary>
    public static int AddChartHtml(JsonObject notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var charts = 0;
        foreach (var cell in notebook["cells"]?.AsArray() ?? [])
            foreach (var output in cell?["outputs"]?.AsArray() ?? [])
            {
                if (output?["data"] is not JsonObject data || data[ChartHtml.PlotlyMimeType] is not { } figure) continue;
                // Kernels store the figure as an object (nbformat's rule for JSON types) or as a JSON string.
                var json = figure is JsonValue value && value.TryGetValue<string>(out var text) ? text : figure.ToJsonString();
                var fragment = ChartHtml.FragmentOf(json);
                data["text/html"] = (charts == 0 ? ChartHtml.PlotlyScriptTag() + "\n" : "") + fragment;
                charts++;
            }
        return charts;
    }
}
