using System.Reflection;

namespace PruningLab.Notebooks;

/// <summary>
/// Shows a value in the running notebook cell and updates it in place (progress, live charts), through the
/// .NET Interactive kernel found by reflection: the library does not reference the deprecated kernel packages, and
/// outside a notebook <see cref="Show"/> returns null.
/// </summary>
public static class NotebookDisplay
{
    private const string KernelTypeName = "Microsoft.DotNet.Interactive.Kernel";

    /// <summary>Displays <paramref name="value"/> in the current cell; null outside a notebook kernel.</summary>
    public static LiveDisplay? Show(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var display = InteractiveKernel.FindType(KernelTypeName)
            ?.GetMethod("display", BindingFlags.Public | BindingFlags.Static, [typeof(object), typeof(string[])]);
        if (display is null) return null;
        try
        {
            var shown = display.Invoke(null, [value, Array.Empty<string>()]);
            var update = shown?.GetType().GetMethod("Update", [typeof(object)]);
            return shown is null || update is null ? null : new LiveDisplay(v => update.Invoke(shown, [v]));
        }
        catch (TargetInvocationException)
        {
            return null;   // no cell is running (e.g. the kernel is loaded but idle): nothing to show in
        }
    }
}

/// <summary>A value shown in a notebook cell that can be replaced in place.</summary>
public sealed class LiveDisplay
{
    private readonly Action<object> update;

    internal LiveDisplay(Action<object> update) => this.update = update;

    /// <summary>Replaces the shown value.</summary>
    public void Update(object value) => update(value);
}
