using Plotly.NET;

namespace PruningLab.Charts;

public static partial class Plots
{
    /// <summary>
    /// Heat-map of a 2-D array (e.g. a pruning mask or a weight matrix); row 0 is drawn at the top,
    /// as the matrix is printed.
    /// </summary>
    /// <param name="values">Values indexed [row, column].</param>
    /// <param name="title">Chart title.</param>
    /// <param name="colorScale">A plotly.js colour-scale name ("Viridis", "Greys", "RdBu", ...); null for the template default.</param>
    /// <param name="xTitle">X-axis title.</param>
    /// <param name="yTitle">Y-axis title.</param>
    public static GenericChart Heatmap(
        float[,] values, string title, string? colorScale = null, string xTitle = "column", string yTitle = "row")
    {
        ArgumentNullException.ThrowIfNull(values);
        var trace = Figure.Trace("heatmap")
            .With("z", Rows(values))
            .With("colorscale", colorScale);
        return ChartStyle.Finish(
            Figure.Chart([trace], xTitle, yTitle, ReverseY),
            title);
    }

    /// <summary>
    /// A table as a heat-map: named rows and columns, each cell coloured by its value and labelled with it (e.g. accuracy
    /// over sparsity × bits). The first row is drawn at the top; a NaN cell is left blank.
    /// </summary>
    /// <param name="values">Values indexed [row, column].</param>
    /// <param name="rows">The row names, top to bottom.</param>
    /// <param name="columns">The column names, left to right.</param>
    /// <param name="title">Chart title.</param>
    /// <param name="xTitle">X-axis (columns) title.</param>
    /// <param name="yTitle">Y-axis (rows) title.</param>
    /// <param name="format">How a cell's value is written, as a d3 format ("%{z:.1f}" writes one decimal).</param>
    /// <param name="colorScale">A plotly.js colour-scale name; "Viridis" by default.</param>
    /// <exception cref="ArgumentException">Row or column names that do not match the array.</exception>
    public static GenericChart TableHeatmap(double[,] values, IReadOnlyList<string> rows, IReadOnlyList<string> columns, string title,
        string xTitle, string yTitle, string format = "%{z:.1f}", string colorScale = "Viridis")
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        if (rows.Count != values.GetLength(0) || columns.Count != values.GetLength(1))
            throw new ArgumentException($"{rows.Count} row and {columns.Count} column names for a {values.GetLength(0)} × {values.GetLength(1)} table.");
        var z = Enumerable.Range(0, rows.Count)
            .Select(r => Enumerable.Range(0, columns.Count).Select(c => double.IsNaN(values[r, c]) ? (double?)null : values[r, c]).ToArray())
            .ToArray();
        var trace = Figure.Trace("heatmap")
            .With("z", z).With("x", columns.ToArray()).With("y", rows.ToArray())
            .With("colorscale", colorScale).With("texttemplate", format).With("hoverongaps", false);
        return ChartStyle.Finish(Figure.Chart([trace], xTitle, yTitle, ReverseY), title);
    }

    /// <summary>Makes the y axis grow downwards so the picture matches the matrix layout.</summary>
    private static void ReverseY(Layout layout) =>
        ((DynamicObj.DynamicObj)layout.GetPropertyValue("yaxis")).SetProperty("autorange", "reversed");

    /// <summary>plotly.js wants z as an array of rows; four significant digits are plenty for colours and keep notebooks small.</summary>
    private static double[][] Rows(float[,] values) =>
        Enumerable.Range(0, values.GetLength(0))
            .Select(r => Enumerable.Range(0, values.GetLength(1)).Select(c => Round(values[r, c])).ToArray())
            .ToArray();

    private static double Round(float value) =>
        value == 0 || !float.IsFinite(value) ? value : Math.Round(value, Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, 15));
}
