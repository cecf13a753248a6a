using Plotly.NET;

namespace PruningLab.Charts;

/// <summary>The shared look of every course chart, so lessons stay visually consistent.</summary>
public static class ChartStyle
{
    /// <summary>Default chart width in pixels.</summary>
    public const int Width = 850;

    /// <summary>Default chart height in pixels (single-row charts).</summary>
    public const int Height = 420;

    /// <summary>Height of one row in multi-panel grids.</summary>
    public const int GridRowHeight = 320;

    /// <summary>Series colours (Plotly's default colourway), reused so "train" / "before" keep one colour across panels.</summary>
    public static readonly IReadOnlyList<string> Palette =
    [
        "#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a",
        "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52",
    ];

    /// <summary>Colour of the <paramref name="index"/>-th series (wraps around the palette).</summary>
    public static string ColorAt(int index) => Palette[index % Palette.Count];

    /// <summary>Applies the course title and size to a finished chart.</summary>
    /// <param name="chart">The chart to finish.</param>
    /// <param name="title">Chart title shown above the plot.</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    public static GenericChart Finish(GenericChart chart, string title, int width = Width, int height = Height)
    {
        chart = Chart.withTitle(title, null).Invoke(chart);
        return Chart.withSize((double)width, (double)height).Invoke(chart);
    }
}
