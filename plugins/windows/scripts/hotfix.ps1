# Lists the installed updates (Win32_QuickFixEngineering through Get-HotFix) as JSON.
# Dates are formatted here as yyyy-MM-dd in the local calendar: ConvertTo-Json would print a
# local midnight as /Date(ms)/ in UTC, which is the day before east of Greenwich.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$inv = [Globalization.CultureInfo]::InvariantCulture
Get-HotFix | ForEach-Object {
    $on = $null
    try { if ($_.InstalledOn) { $on = $_.InstalledOn.ToString('yyyy-MM-dd', $inv) } } catch { $on = $null }
    [pscustomobject]@{
        HotFixID    = $_.HotFixID
        Description = $_.Description
        InstalledOn = $on
    }
} | ConvertTo-Json
