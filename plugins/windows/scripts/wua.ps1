# Lists the updates the Windows Update Agent reports as applicable, not installed and not
# hidden, as one JSON object. $Online is set by the caller: $true asks the update service
# (Microsoft Update or the configured WSUS server), $false searches the cache of the last scan.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$inv = [Globalization.CultureInfo]::InvariantCulture
$session = New-Object -ComObject Microsoft.Update.Session
$session.ClientApplicationID = 'ceplus'
$searcher = $session.CreateUpdateSearcher()
$searcher.Online = $Online
$result = $searcher.Search('IsInstalled=0 and IsHidden=0')
$updates = @(foreach ($u in $result.Updates) {
    [pscustomobject]@{
        UpdateID                 = $u.Identity.UpdateID
        RevisionNumber           = $u.Identity.RevisionNumber
        Title                    = $u.Title
        KBArticleIDs             = @($u.KBArticleIDs)
        MsrcSeverity             = $u.MsrcSeverity
        LastDeploymentChangeTime = if ($u.LastDeploymentChangeTime) { $u.LastDeploymentChangeTime.ToString('yyyy-MM-dd', $inv) } else { $null }
        Categories               = @($u.Categories | ForEach-Object {
            [pscustomobject]@{ Name = $_.Name; CategoryID = $_.CategoryID; Type = $_.Type }
        })
        SecurityBulletinIDs      = @($u.SecurityBulletinIDs)
        CveIDs                   = @($u.CveIDs)
    }
})
$last = $null
try {
    $d = (New-Object -ComObject Microsoft.Update.AutoUpdate).Results.LastSearchSuccessDate
    if ($d) { $last = $d.ToString('s', $inv) }
} catch { $last = $null }
ConvertTo-Json -Depth 5 -InputObject ([pscustomobject]@{
    Online                = $Online
    ResultCode            = [int]$result.ResultCode
    LastSearchSuccessDate = $last
    Updates               = $updates
})
