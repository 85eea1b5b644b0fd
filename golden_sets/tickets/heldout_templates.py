"""Templates and phrasings of the held-out split (``heldout.jsonl``), never used in train/val/test.

Pure data, read by ``generate.py``. Same company, same 20 categories, same labelling rules as
``ticket_templates.py`` (one sentence that names its category through its own wording, no
urgency of its own; priority only from a cue), but every sentence frame, priority cue,
opener and closer here is new: a model that learnt the training templates by heart meets
none of them. Slot values (plans, browsers, cities, ...) are shared with the training
templates (see the card's limits). ``tests/golden_sets/test_tickets.py`` checks that no
template frame or cue here repeats one of ``ticket_templates.py``.
Changing anything here changes heldout.jsonl: regenerate and bump the card's version.
"""

CATEGORIES: dict[str, tuple[str, ...]] = {
    "billing_refund": (
        "My card statement shows {amount} from you for a {plan} plan we cancelled, I want that money returned",
        "Could the {amount} for the faulty {device} go back onto my card?",
        "You billed us {amount} after we downgraded from {plan}, we expect that sum to be reimbursed",
        "Is it possible to be reimbursed for the {device} we sent back on {date}?",
        "The {plan} charge of {amount} on {date} was a mistake on our side, can it be returned to us?",
    ),
    "billing_invoice": (
        "Our accountant says the {month} bill lacks the {tax_id}, could a corrected copy be issued?",
        "Could I receive copies of every bill for {month} for our {plan} plan?",
        "The {invoice_field} printed on bill {invoice} is not ours, a fixed version is needed",
        "Our bookkeeping needs the {month} billing document sent to {billing_contact}",
        "The billing document for the {amount} paid on {date} never reached my {email_kind} mailbox",
    ),
    "login_issue": (
        "Every sign-in attempt with {login_method} ends on an error page for me in {browser}",
        "Entering my correct details on my {computer} just brings me back to the start page, I can't get in",
        "{teammate} has been unable to get into the workspace via {login_method} since {date}",
        "After typing the one-time code from my {phone} the app refuses to let me in",
        "Access denied appears right after I submit my username and password in {browser}",
    ),
    "password_reset": (
        "No recovery email shows up when I ask for a new password, I checked my {email_kind} spam folder {small_count} times",
        "My password is forgotten and the recovery page in {browser} keeps timing out",
        "Could you help {teammate} choose a new password, their recovery link was lost?",
        "Setting a fresh password fails in {browser} on my {computer}, the recovery page says invalid token",
        "The link to change my forgotten password from {date} opens a blank page",
    ),
    "account_deletion": (
        "Kindly erase our {plan} account completely, including every single {data_obj} record",
        "We no longer use your product since moving to {competitor}, please wipe my profile for good",
        "Could the login of {teammate} be removed permanently along with their {data_obj}?",
        "I want to be forgotten as a user, erase the account registered to my {email_kind} address",
        "Can I wipe my user profile myself, the option is nowhere in {browser}?",
    ),
    "bug_report": (
        "Something is broken: whenever I open {data_obj} in the {feature} it {bug_symptom}",
        "Reproducible defect, renaming {data_obj} in {browser} {bug_symptom}",
        "The sort order of {data_obj} in the {feature} is reversed every other time, that looks like a defect",
        "Steps to reproduce: open the {feature}, press undo, and it {bug_symptom}",
        "Dragging {data_obj} between columns of the {feature} {bug_symptom}, that cannot be intended",
    ),
    "feature_request": (
        "Our {plan} team keeps asking for {idea}, is that on your roadmap?",
        "Any chance of {idea} being built into the {feature} some day?",
        "A wish from our side: {idea} for {data_obj}",
        "We switched from {competitor} and miss {idea}, would you build it?",
        "Idea for the product: offer {idea} inside the {feature}",
    ),
    "performance": (
        "Opening the {feature} now needs {duration} each time, it used to be instant",
        "The app has crawled since {date}, a single click in the {feature} takes {duration}",
        "Saving a batch of {count} {data_obj} spins for {duration} before it finishes",
        "Response times in {browser} are terrible, every screen of the {feature} needs {duration}",
        "With around {count} {data_obj} the whole {feature} becomes unbearably slow",
    ),
    "data_export": (
        "Can our {data_obj} be downloaded as one {format} file for our records?",
        "The {format} file I get when exporting {data_obj} has garbled characters",
        "For an audit we need a complete download of every {data_obj} in {format}",
        "Is an automatic monthly {format} download of {data_obj} possible?",
        "Our {format} download of {data_obj} stops halfway since {date}",
    ),
    "integration_api": (
        "Since {date} the {integration} connector has not pushed any {data_obj} to our account",
        "Calls to {endpoint} on your API give us {api_error} for every request",
        "Which scopes does an API token need to read {data_obj} through {endpoint}?",
        "Our developer gets {api_error} when the {integration} sync runs overnight",
        "Your webhook delivery for {data_obj} fails on our side with {api_error}",
    ),
    "shipping_delay": (
        "The {device} I bought on {date} has not been delivered yet, what is going on with {carrier}?",
        "Parcel for order {order} shows no movement for {days} days, our {device} is overdue",
        "We are still without the {device} from order {order}, the courier {carrier} has no news",
        "Delivery of our {small_count} {device}s was promised for {date} and nothing came",
        "Where is our parcel, the {device} from order {order} is well past its delivery date",
    ),
    "order_cancel": (
        "We changed our mind about the {device}, please stop order {order} from going out",
        "Can the purchase of {small_count} {device}s from {date} be called off?",
        "Order {order} was placed by accident, we do not want the {device} anymore",
        "Please withdraw our hardware purchase of the {device} made on {date} before dispatch",
        "Is it too late to call off the {device} order placed on {date}?",
    ),
    "subscription_upgrade": (
        "Our {seats} users need {perk}, so we want to move up to {plan_high}",
        "What does going from {plan_low} to {plan_high} cost for {seats} people?",
        "We are outgrowing {plan_low} and would like the {plan_high} tier with {perk}",
        "Could we raise our {plan} licence count by {seats} seats?",
        "Choosing {plan_high} on the plans page in {browser} gives an error, we want the bigger plan",
    ),
    "subscription_cancel": (
        "We will not renew {plan} after {month}, please make sure it ends then",
        "Please end our recurring {plan} payments, we are moving to {competitor}",
        "I would like to stop paying for {plan}, our {seats} users no longer need it",
        "The {plan} plan should not renew on {date}, we are ending the contract",
        "Terminate our {plan} membership please, the button to end it fails in {browser}",
    ),
    "security_concern": (
        "A sign-in from {city} I do not recognise appeared on {date}, has somebody got into our account?",
        "Someone sent our staff a fake message in the name of your {sender} team, requesting our {secret}",
        "Our {leaked} was accidentally published on {repo_host}, what should we do to lock things down?",
        "I think I discovered a {vuln} flaw in the {feature} and want to disclose it responsibly",
        "{teammate} says their profile was taken over and is now posting from {city}",
    ),
    "privacy_request": (
        "Per {privacy_law}, which personal details about me are stored on your servers?",
        "Our {review} checklist asks whether you pass personal data to {third_party}, do you?",
        "I object under {privacy_law} to my personal information being used for {purpose}",
        "Please fix the {detail} you store about me, it is out of date",
        "Do you keep customer personal data of our {plan} account inside the {region} region?",
    ),
    "onboarding_help": (
        "Our {seats} person team starts on {plan} next week, what should we configure first?",
        "Complete beginner here, is there a tutorial for the {feature}?",
        "We are moving over from {competitor}, is there a step by step guide to bring in our {data_obj}?",
        "Can we book a setup session to get our workspace going before {date}?",
        "New to the tool, what is the recommended way to bring {data_obj} in from {format}?",
    ),
    "mobile_app": (
        "Opening the {feature} in the {os} app closes it immediately",
        "On the {phone} your app stopped refreshing {data_obj} after the newest release",
        "{store} will not let me download your app onto my {phone}",
        "Since {os} {os_version} your phone app only shows a spinning wheel",
        "Buttons in the phone app overlap on my {phone}, I cannot tap save",
    ),
    "notification_settings": (
        "Can {channel} alerts for every {notif_kind} be switched off?",
        "I receive a {channel} ping for each {notif_kind} and it is far too much",
        "Which setting makes sure {teammate} is alerted about each {notif_kind}?",
        "I asked on {date} to stop {notif_kind} emails and they keep coming",
        "Could {channel} alerts be limited to {notif_kind}s assigned to me only?",
    ),
    "outage": (
        "None of our staff in {city} can open anything on your service since {time}, is it down for everyone?",
        "Every request to your platform fails with a gateway error since {time}, the whole service seems offline",
        "Your service has been completely dead for our {city} team since {time}",
        "Neither the website nor the API responds since {time}, what is happening on your side?",
        "Is there a major incident, your entire platform has been unreachable from {city} since {time}",
    ),
}

# Priority cues, all worded unlike the training cues (a prefix replaces the opener).
PREFIX_CUES: dict[str, tuple[str, ...]] = {
    "high": ("IMPORTANT:", "Top priority:", "Time-critical:", "Immediate attention needed:"),
    "medium": (),
    "low": ("Whenever convenient:", "Small question:", "FYI, not pressing:"),
}
SUFFIX_CUES: dict[str, tuple[str, ...]] = {
    "high": ("Nobody here can work until this is fixed.", "We need a fix within the hour.",
             "Customers are affected right now, please escalate.",
             "This is costing us money by the minute."),
    "medium": ("An answer in a few days is fine.", "Please get back to me soon.",
               "We can manage meanwhile, but it needs looking at."),
    "low": ("There is no time pressure at all.", "Any time next month is fine.",
            "Purely a nice-to-have question."),
}

OPENERS = ("Dear support,", "Hi folks,", "Greetings,", "Hello support team,", "Good afternoon,")
CLOSERS = ("Many thanks.", "Regards, {name}", "Kind regards.", "Thanks so much!", "Speak soon, {name}")
