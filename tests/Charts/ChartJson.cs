using System.Text.Json;
using Plotly.NET;

namespace PruningLab.Tests.Charts;

/// <summary>Reads a chart back as plotly.js JSON so tests can assert on traces and layout.</summary>
internal static class ChartJson
{
    public static JsonElement Figure(GenericChart chart) =>
        JsonDocument.Parse(GenericChart.toFigureJson(chart)).RootElement.Clone();

    public static JsonElement[] Traces(GenericChart chart) => Figure(chart).GetProperty("data").EnumerateArray().ToArray();

    public static JsonElement Layout(GenericChart chart) => Figure(chart).GetProperty("layout");

    public static string Title(JsonElement layoutOrAxis) => layoutOrAxis.GetProperty("title").GetProperty("text").GetString()!;
}
