using System.Runtime.CompilerServices;
using PruningLab.Charts;
using PruningLab.Runtime;

namespace PruningLab;

internal static class ModuleSetup
{
    // Runs before any other code of this library: whatever the host (console, test, notebook kernel, file-based
    // app), the course's own libtorch is loaded, patched if the system needs it, before TorchSharp probes for one.
#pragma warning disable CA2255 // a module initializer is exactly right here: it must precede every TorchSharp call
    [ModuleInitializer]
    internal static void Initialize()
    {
        FSharpCoreRedirect.Install();
        TorchRuntime.TryEnsureLoaded();
    }
#pragma warning restore CA2255
}
