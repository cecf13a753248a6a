using System.Reflection;
using PruningLab.Charts;

namespace PruningLab.Tests.Charts;

public class FSharpCoreRedirectTests
{
    [Fact]
    public void Install_is_idempotent_and_thread_safe()
    {
        var results = new bool[16];
        Parallel.For(0, results.Length, i => results[i] = FSharpCoreRedirect.Install());

        Assert.True(FSharpCoreRedirect.IsInstalled);
        Assert.True(results.Count(r => r) <= 1); // at most one winner (another test may have installed first)
        Assert.False(FSharpCoreRedirect.Install());
    }

    [Fact]
    public void TryResolve_maps_any_FSharp_Core_version_to_the_loaded_one()
    {
        var loaded = typeof(Microsoft.FSharp.Core.FSharpOption<int>).Assembly; // make sure it is loaded

        Assert.Same(loaded, FSharpCoreRedirect.TryResolve(new AssemblyName("FSharp.Core, Version=10.1.0.0")));
        Assert.Same(loaded, FSharpCoreRedirect.TryResolve(new AssemblyName("FSharp.Core, Version=99.0.0.0")));
        Assert.Null(FSharpCoreRedirect.TryResolve(new AssemblyName("Newtonsoft.Json")));
    }
}
