# Wangshang's codes and notices (shared by SMS and e-mail).
# Every code message says what it is for, how long it holds, and that staff never ask for it.
# Every notice says what happened, when, from which IP/device, and what to do if it was not you.
# Parameters: $code $minutes $when $ip $device $old $new $hours $cancel_url $confirm_url $factor $ticket $status_url

-brand = Wangshang
-never-share = Our staff will never ask for it; do not share it with anyone, and never trust "fast unlock" services.

register_code-subject = Your { -brand } sign-up code
register_code-body = [{ -brand }] Your sign-up code is { $code }. It is valid for { $minutes } minutes. { -never-share }

register_taken-subject = Someone tried to sign up with your address
register_taken-body = [{ -brand }] At { $when } someone (IP { $ip }) tried to register a new account with this number/address. It already belongs to an account: if that was you, log in, or use "Forgot password" on the login page. If not, ignore this message; your account is not affected.

support_contact_code-subject = Your { -brand } support contact code
support_contact_code-body = [{ -brand }] Your code to open a support request is { $code }. It is valid for { $minutes } minutes. { -never-share }

password_reset_code-subject = Your { -brand } password reset code
password_reset_code-body = [{ -brand }] Your code to reset your password is { $code }. It is valid for { $minutes } minutes. { -never-share } If you did not ask for it, ignore this message: your password stays the same.

bind_code-subject = Your { -brand } binding code
bind_code-body = [{ -brand }] Your code to bind this number/address to a { -brand } account is { $code }. It is valid for { $minutes } minutes. { -never-share }
reverify_code-subject = Confirm your { -brand } number/address
reverify_code-body = [{ -brand }] An administrator of your enterprise asked you to confirm that this number/address is still yours. Your code is { $code }, valid for { $minutes } minutes: enter it while signed in, under "Phone & e-mail". { -never-share }

bind_taken-subject = Someone tried to bind your address
bind_taken-body = [{ -brand }] At { $when } someone (IP { $ip }) tried to bind this number/address to another account. It stays with your account. If that was not you, ignore this message.

account_locked-subject = Your { -brand } account is temporarily locked
account_locked-body = [{ -brand }] Since { $when } your account is locked for { $minutes } minutes after repeated wrong passwords (the last from IP { $ip }, device { $device }). If this was not you, change your password via "Forgot password" and turn on two-factor authentication.

password_changed-subject = Your { -brand } password was changed
password_changed-body = [{ -brand }] Your password was changed at { $when } (IP { $ip }, device { $device }); your other devices were signed out. If this was not you, recover your account via "Forgot password" at once and contact support.

password_reset-subject = Your { -brand } password was reset
password_reset-body = [{ -brand }] Your password was reset at { $when } (IP { $ip }, device { $device }); every device was signed out. If this was not you, recover your account again at once and contact support.

binding_changed-subject = Your { -brand } account's binding changed
binding_changed-body = [{ -brand }] At { $when } (IP { $ip }, device { $device }) your account's binding changed: { $old } -> { $new }. If it was you: { $confirm_url } . If not, open { $cancel_url } within { $hours } hours to undo the change and sign out every device.

binding_added-subject = Bound to your { -brand } account
binding_added-body = [{ -brand }] This number/address was bound to your { -brand } account at { $when } (IP { $ip }, device { $device }). If this was not you, contact support.

binding_cancelled-subject = A { -brand } binding change was undone
binding_cancelled-body = [{ -brand }] The binding change of { $when } ({ $old } -> { $new }) was undone and every device was signed out. Change your password and turn on two-factor authentication.

new_device_login-subject = New sign-in to your { -brand } account
new_device_login-body = [{ -brand }] Your account signed in on a new device at { $when } (IP { $ip }, device { $device }). If this was not you, open { $dispute_url } to sign that device out, and change your password at once.

mfa_changed-subject = Your { -brand } two-factor settings changed
mfa_changed-body = [{ -brand }] Your two-factor authentication changed at { $when }: { $factor } (IP { $ip }, device { $device }). If this was not you, recover your account via "Forgot password" at once and contact support.

support_ticket_opened-subject = Your { -brand } support request was received
support_ticket_opened-body = [{ -brand }] Your account recovery request { $ticket } was received at { $when } (IP { $ip }). Follow it here: { $status_url } . Our staff will never ask for your password or a code.

support_ticket_decided-subject = Your { -brand } support request was decided
support_ticket_decided-body = [{ -brand }] Your account recovery request { $ticket } has a decision: { $status_url } . If you did not file a request, change your password and contact support.

support_ticket_filed_for_you-subject = Someone asked to recover your { -brand } account
support_ticket_filed_for_you-body = [{ -brand }] At { $when } someone (IP { $ip }) filed recovery request { $ticket } for your account. If it was not you, open { $status_url } to refuse it, and check your account's security.

login_code-subject = Your { -brand } new-device sign-in code
login_code-body = [{ -brand }] Your code to sign in on a new device is { $code }. It is valid for { $minutes } minutes. { -never-share } If this was not you, your password may be known to someone else: change it at once.

second_factor_failed-subject = Failed two-factor sign-in to your { -brand } account
second_factor_failed-body = [{ -brand }] At { $when } someone signed in to your account with the right password (IP { $ip }, device { $device }) but failed the second factor repeatedly. If this was not you, your password is known to someone else: change it at once.

generic-subject = { -brand } notice
generic-body = [{ -brand }] Account notice.

html-footer = This is an automatic notice from { -brand }. { -never-share }

org_invite-subject = Join { $org } on { -brand }
org_invite-body = [{ -brand }] { $inviter } invited you to the enterprise { $org }. Open { $invite_url } to join (valid { $hours } h). If you do not know them, ignore this message.

support_recovery_approved-subject = A recovery of your { -brand } account was approved
support_recovery_approved-body = [{ -brand }] At { $when } our support desk approved recovery request { $ticket } for your account (requested from IP { $ip }, device { $device }). In { $hours } hours the requester can set a new password, and every device will be signed out. If this was not you, cancel it now: { $cancel_url }

support_recovery_code-subject = Your { -brand } account recovery code
support_recovery_code-body = [{ -brand }] Your code to finish your approved account recovery is { $code }. It is valid for { $minutes } minutes. { -never-share }

trusted_contacts_changed-subject = Your { -brand } trusted colleagues changed
trusted_contacts_changed-body = [{ -brand }] Your list of trusted colleagues changed at { $when } (IP { $ip }, device { $device }); the change takes effect in { $hours } hours. If this was not you, change your password at once and set the list again.

nickname_changed-subject = Your { -brand } nickname was changed
nickname_changed-body = [{ -brand }] Your nickname was changed from "{ $old }" to "{ $new }" at { $when } (IP { $ip }, device { $device }). If this was not you, change your password at once and check the devices in your security records.

org_policy_changed-subject = The security policy of { $org } changed
org_policy_changed-body = [{ -brand }] { $by } changed the security policy of { $org } at { $when }. You are told as one of its owners or admins; see the enterprise's policy page for what it requires now.

org_member_action-subject = { $org } changed your access
org_member_action-body = [{ -brand }] { $action ->
    [signed_out] An admin of { $org } signed you out of every device at { $when }. Log in again to continue.
    [suspended] An admin of { $org } suspended your access to its chats at { $when }. Your account and your other chats are not affected.
    [reinstated] An admin of { $org } restored your access to its chats at { $when }.
    [offboarded] An admin of { $org } offboarded you at { $when }: its chats are closed to you and you left its groups. Your account and your other chats are not affected.
    [offboard_undone] An admin of { $org } undid your offboarding at { $when }: its chats and groups are open to you again.
   *[other] An admin of { $org } changed your access at { $when }.
}

device-on = { $browser } on { $os }
device-os = A { $os } device
