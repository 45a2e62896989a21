using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GanCluster.Hosting.Settings;

/// <summary>Validates one options section at start-up, with failures phrased as settings lines rather than DataAnnotations prose.</summary>
internal sealed class SettingsValidator<TOptions>(string section, IConfiguration configuration) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var problems = SettingsBinder.Problems(configuration, section, options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
