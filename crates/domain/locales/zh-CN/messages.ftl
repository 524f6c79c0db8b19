# 旺商聊的验证码与通知（短信与邮件共用）。
# 每条验证码消息说明用途、有效期，并提醒工作人员绝不会索要验证码。
# 每条通知说明发生了什么、何时、来自哪个 IP/设备，以及不是本人操作时该怎么做。
# 参数：$code $minutes $when $ip $device $old $new $hours $cancel_url $confirm_url $factor $ticket $status_url

-brand = 旺商聊
-never-share = 工作人员绝不会向您索要验证码，请勿告诉任何人，也不要相信任何“快速解封”服务。

register_code-subject = { -brand }注册验证码
register_code-body = 【{ -brand }】您的注册验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }

register_taken-subject = 有人尝试用您的号码注册{ -brand }
register_taken-body = 【{ -brand }】{ $when } 有人（IP { $ip }）尝试用此号码/邮箱注册新账号。它已绑定一个账号：如果是您本人，请直接登录，或在登录页点击“忘记密码”找回。如果不是您，请忽略本消息，您的账号不受影响。

support_contact_code-subject = { -brand }客服联系方式验证码
support_contact_code-body = 【{ -brand }】您提交账号申诉使用的验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }

password_reset_code-subject = { -brand }找回密码验证码
password_reset_code-body = 【{ -brand }】您正在找回密码，验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }如果不是您本人操作，请忽略本消息，您的密码不会改变。

bind_code-subject = { -brand }绑定验证码
bind_code-body = 【{ -brand }】您正在把此号码/邮箱绑定到{ -brand }账号，验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }
reverify_code-subject = 确认您的{ -brand }手机号/邮箱
reverify_code-body = 【{ -brand }】您所在企业的管理员请您确认此号码/邮箱仍归您使用。验证码是 { $code }，{ $minutes } 分钟内有效：请登录后在“手机与邮箱”页面输入。{ -never-share }

bind_taken-subject = 有人尝试绑定您的号码
bind_taken-body = 【{ -brand }】{ $when } 有人（IP { $ip }）尝试把此号码/邮箱绑定到另一个账号。它仍属于您的账号，不会被转移。如果不是您，请忽略本消息。

account_locked-subject = { -brand }账号已临时锁定
account_locked-body = 【{ -brand }】{ $when } 起，您的账号因连续多次密码错误（最近一次来自 IP { $ip }，设备 { $device }）被临时锁定 { $minutes } 分钟。如果不是您本人，请尽快通过“忘记密码”修改密码并开启两步验证。

password_changed-subject = { -brand }密码已修改
password_changed-body = 【{ -brand }】您的密码已于 { $when } 修改（IP { $ip }，设备 { $device }），其他设备已退出登录。如果不是您本人操作，请立即通过“忘记密码”找回账号并联系客服。

password_reset-subject = { -brand }密码已重置
password_reset-body = 【{ -brand }】您的密码已于 { $when } 通过找回流程重置（IP { $ip }，设备 { $device }），所有设备均已退出登录。如果不是您本人操作，请立即再次找回密码并联系客服。

binding_changed-subject = { -brand }账号绑定已变更
binding_changed-body = 【{ -brand }】{ $when }（IP { $ip }，设备 { $device }）您账号的绑定已变更：{ $old } → { $new }。是您本人：{ $confirm_url } 。不是您本人：{ $hours } 小时内打开 { $cancel_url } 撤销变更并让所有设备退出登录。

binding_added-subject = 已绑定{ -brand }账号
binding_added-body = 【{ -brand }】此号码/邮箱已于 { $when } 绑定到您的{ -brand }账号（IP { $ip }，设备 { $device }）。如果不是您本人操作，请联系客服。

binding_cancelled-subject = { -brand }绑定变更已撤销
binding_cancelled-body = 【{ -brand }】{ $when } 的绑定变更（{ $old } → { $new }）已撤销，所有设备已退出登录。请尽快修改密码并开启两步验证。

new_device_login-subject = { -brand }新设备登录提醒
new_device_login-body = 【{ -brand }】您的账号于 { $when } 在新设备上登录（IP { $ip }，设备 { $device }）。如果不是您本人：打开 { $dispute_url } 让该设备退出登录，并立即修改密码。

mfa_changed-subject = { -brand }两步验证已变更
mfa_changed-body = 【{ -brand }】您账号的两步验证于 { $when } 发生变更：{ $factor }（IP { $ip }，设备 { $device }）。如果不是您本人操作，请立即通过“忘记密码”找回账号并联系客服。

support_ticket_opened-subject = { -brand }账号申诉已受理
support_ticket_opened-body = 【{ -brand }】您的账号申诉 { $ticket } 已于 { $when } 受理（IP { $ip }）。处理进度：{ $status_url } 。工作人员绝不会向您索要密码或验证码。

support_ticket_decided-subject = { -brand }账号申诉处理结果
support_ticket_decided-body = 【{ -brand }】您的账号申诉 { $ticket } 已有处理结果，请查看：{ $status_url } 。如果您没有提交过申诉，请立即修改密码并联系客服。

support_ticket_filed_for_you-subject = 有人为您的{ -brand }账号提交了申诉
support_ticket_filed_for_you-body = 【{ -brand }】{ $when } 有人（IP { $ip }）为您的账号提交了找回申诉 { $ticket }。如果不是您本人，请打开 { $status_url } 拒绝，并检查账号安全。

login_code-subject = { -brand }新设备登录验证码
login_code-body = 【{ -brand }】您正在新设备上登录，验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }如果不是您本人操作，说明您的密码可能已泄露，请立即修改密码。

second_factor_failed-subject = { -brand }两步验证失败提醒
second_factor_failed-body = 【{ -brand }】{ $when } 有人用正确的密码登录您的账号（IP { $ip }，设备 { $device }），但两步验证多次失败。如果不是您本人，您的密码已泄露，请立即修改密码。

generic-subject = { -brand }通知
generic-body = 【{ -brand }】账号通知。

html-footer = 这是{ -brand }的自动通知。{ -never-share }

org_invite-subject = 邀请您加入{ -brand }企业 { $org }
org_invite-body = 【{ -brand }】{ $inviter } 邀请您加入企业「{ $org }」。打开 { $invite_url } 即可加入（{ $hours } 小时内有效）。如不认识对方，请忽略本消息。

support_recovery_approved-subject = 您的{ -brand }账号申诉已获批准
support_recovery_approved-body = 【{ -brand }】{ $when } 客服批准了您账号的找回申诉 { $ticket }（申请来自 IP { $ip }，设备 { $device }）。{ $hours } 小时后申请人即可设置新密码，所有设备将被退出登录。如果不是您本人，请立即取消：{ $cancel_url }

support_recovery_code-subject = { -brand }账号找回验证码
support_recovery_code-body = 【{ -brand }】您正在完成已获批准的账号找回，验证码是 { $code }，{ $minutes } 分钟内有效。{ -never-share }

trusted_contacts_changed-subject = 您的{ -brand }可信同事已变更
trusted_contacts_changed-body = 【{ -brand }】您的可信同事列表于 { $when } 变更（IP { $ip }，设备 { $device }），变更将在 { $hours } 小时后生效。如果不是您本人操作，请立即修改密码并重新设置列表。

nickname_changed-subject = 您的{ -brand }昵称已修改
nickname_changed-body = 【{ -brand }】您的昵称已于 { $when } 由“{ $old }”改为“{ $new }”（IP { $ip }，设备 { $device }）。如果不是您本人操作，请立即修改密码，并在“安全记录”中检查登录设备。

org_policy_changed-subject = { $org }的安全策略已变更
org_policy_changed-body = 【{ -brand }】{ $by } 于 { $when } 修改了 { $org } 的安全策略。您是该企业的所有者或管理员，因此收到此通知；请在企业的安全策略页面查看现在的要求。

org_member_action-subject = { $org }调整了您的访问权限
org_member_action-body = 【{ -brand }】{ $action ->
    [signed_out] { $org } 的管理员于 { $when } 将您从所有设备上退出登录。请重新登录后继续使用。
    [suspended] { $org } 的管理员于 { $when } 暂停了您对该企业聊天的访问。您的账号和其他聊天不受影响。
    [reinstated] { $org } 的管理员于 { $when } 恢复了您对该企业聊天的访问。
    [offboarded] { $org } 的管理员于 { $when } 为您办理了离职：您无法再访问该企业的聊天，并已退出其群组。您的账号和其他聊天不受影响。
    [offboard_undone] { $org } 的管理员于 { $when } 撤销了您的离职：您可以重新访问该企业的聊天和群组。
   *[other] { $org } 的管理员于 { $when } 调整了您的访问权限。
}

device-on = { $os } 上的 { $browser }
device-os = { $os } 设备
